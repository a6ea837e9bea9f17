"""What a given reader may see of affiliates and memberships.

`permissions.py` decides whether someone may see a record at all; this module
decides which of its fields. The API serializers, the PDFs and the pages ask here.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from portal.users import display_name

from . import permissions

# Compliance and the reporting start date: staff and the affiliate's members.
AFFILIATE_PRIVATE_FIELDS = frozenset({"compliance", "reporting_since"})
# A join request's message: the affiliate's admins, staff and the requester.
MEMBERSHIP_PRIVATE_FIELDS = frozenset({"message"})
# A person's legal name and e-mail address: staff and the admins of their affiliate.
MEMBER_CONTACT_FIELDS = frozenset({"legal_name", "email"})
MEMBERSHIP_OMITTABLE_FIELDS = MEMBERSHIP_PRIVATE_FIELDS | MEMBER_CONTACT_FIELDS


def affiliate_omitted_fields(user, affiliate) -> frozenset[str]:
    if permissions.can_view_affiliate_private(user, affiliate):
        return frozenset()
    return AFFILIATE_PRIVATE_FIELDS


def membership_omitted_fields(user, membership) -> frozenset[str]:
    if permissions.can_decide_membership(user, membership):
        return frozenset()
    if permissions.can_leave(user, membership):
        return MEMBER_CONTACT_FIELDS
    return MEMBERSHIP_OMITTABLE_FIELDS


def _opted_in(person) -> bool:
    try:
        return person.profile.show_affiliation
    except ObjectDoesNotExist:
        return False


def masks_member(reader, person, affiliate) -> bool:
    """Whether `person`, appearing as a member of `affiliate` (replying for it,
    writing its story), is shown to `reader` only as "a member of …": the affiliate
    hides its members, the person has not chosen to be named, and the reader is
    neither staff, nor a member of that affiliate, nor the person."""
    if not affiliate.hide_members or _opted_in(person):
        return False
    if getattr(reader, "pk", None) == person.pk:
        return False
    return not permissions.can_view_affiliate_private(reader, affiliate)


def member_name(reader, person, affiliate) -> str:
    """The name `reader` sees for `person` acting as a member of `affiliate`."""
    if masks_member(reader, person, affiliate):
        return _("A member of %(affiliate)s") % {"affiliate": affiliate.name}
    return display_name(person)
