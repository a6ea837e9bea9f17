"""What a given reader may see of affiliates and memberships.

`permissions.py` decides whether someone may see a record at all; this module
decides which of its fields. The API serializers, the PDFs and the pages ask here.
"""

from . import permissions

# Compliance and the reporting start date: staff and the affiliate's members.
AFFILIATE_PRIVATE_FIELDS = frozenset({"compliance", "reporting_since"})
# A join request's message: the affiliate's admins, staff and the requester.
MEMBERSHIP_PRIVATE_FIELDS = frozenset({"message"})


def affiliate_omitted_fields(user, affiliate) -> frozenset[str]:
    if permissions.can_view_affiliate_private(user, affiliate):
        return frozenset()
    return AFFILIATE_PRIVATE_FIELDS


def membership_omitted_fields(user, membership) -> frozenset[str]:
    if permissions.can_decide_membership(user, membership) or permissions.can_leave(
        user, membership
    ):
        return frozenset()
    return MEMBERSHIP_PRIVATE_FIELDS
