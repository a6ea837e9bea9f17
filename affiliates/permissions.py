"""Who may see and do what with affiliates, memberships and annual reports.

The one place these rules live: the API, the admin and the services all ask here.
Roles come from approved memberships only; a pending request grants nothing.
"""

from django.db.models import Q, QuerySet

from .choices import AffiliateReportStatus, MembershipRole, MembershipStatus


def is_staff(user) -> bool:
    """Programme staff: Django staff accounts that are active."""
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def _memberships(user) -> dict[int, str]:
    """{affiliate id: role} of the user's active memberships, read once per request.

    Kept on the user object, which lives for one request only, so nothing is shared
    between requests or processes.
    """
    if not (user and user.is_authenticated and user.is_active):
        return {}
    cached = getattr(user, "_portal_active_memberships", None)
    if cached is None:
        from .models import Membership

        cached = dict(
            Membership.objects.filter(
                user=user, status=MembershipStatus.ACTIVE
            ).values_list("affiliate_id", "role")
        )
        user._portal_active_memberships = cached
    return cached


def remember_memberships(users) -> None:
    """Read the active memberships of many people in one query and keep each on its
    user object, as `_memberships` would one by one (a batch of e-mails, the
    recipients of one event)."""
    from collections import defaultdict

    from .models import Membership

    users = {user.pk: user for user in users if user is not None and user.pk}
    found = defaultdict(dict)
    for user_id, affiliate_id, role in Membership.objects.filter(
        user_id__in=users, status=MembershipStatus.ACTIVE
    ).values_list("user_id", "affiliate_id", "role"):
        found[user_id][affiliate_id] = role
    for user_id, user in users.items():
        user._portal_active_memberships = found[user_id]


def forget_memberships(user) -> None:
    """Drop the per-request cache after a service changed this user's memberships."""
    if user is not None and hasattr(user, "_portal_active_memberships"):
        del user._portal_active_memberships


def member_affiliate_ids(user) -> set[int]:
    return set(_memberships(user))


def admin_affiliate_ids(user) -> set[int]:
    return {
        aid for aid, role in _memberships(user).items() if role == MembershipRole.ADMIN
    }


def is_member(user, affiliate_id: int) -> bool:
    """An approved member of the affiliate, in any role."""
    return affiliate_id in _memberships(user)


def is_admin(user, affiliate_id: int) -> bool:
    return _memberships(user).get(affiliate_id) == MembershipRole.ADMIN


# Affiliates -----------------------------------------------------------------------


def can_view_affiliate_private(user, affiliate) -> bool:
    """Compliance, reports, deferments and history: staff and approved members."""
    return is_staff(user) or is_member(user, affiliate.pk)


def can_create_affiliate(user) -> bool:
    return is_staff(user)


def can_edit_affiliate(user, affiliate) -> bool:
    """Affiliate admins edit their public profile; staff edit everything."""
    return is_staff(user) or is_admin(user, affiliate.pk)


# Fields only staff may change: they decide recognition and standing.
STAFF_ONLY_AFFILIATE_FIELDS = frozenset(
    {"slug", "type", "status", "recognition_date", "reporting_since"}
)


def fields_reserved_to_staff(user, affiliate, changes: dict) -> list[str]:
    """The fields in `changes` that this user may not change on the affiliate."""
    if is_staff(user):
        return []
    return sorted(
        name
        for name in STAFF_ONLY_AFFILIATE_FIELDS & changes.keys()
        if changes[name] != getattr(affiliate, name)
    )


def visible_memberships(user, queryset: QuerySet) -> QuerySet:
    """Memberships a user may see.

    Staff: all. Anyone: their own requests and memberships. Members: the active
    members of their affiliates; admins also see pending requests. Others: the active
    members of affiliates that do not hide their members.
    """
    if is_staff(user):
        return queryset
    visible = Q(status=MembershipStatus.ACTIVE, affiliate__hide_members=False)
    if user and user.is_authenticated:
        visible |= Q(user=user)
        visible |= Q(
            status=MembershipStatus.ACTIVE, affiliate_id__in=member_affiliate_ids(user)
        )
        visible |= Q(affiliate_id__in=admin_affiliate_ids(user))
    return queryset.filter(visible)


def can_ask_to_join(user, affiliate, own_membership=None) -> bool:
    """Signed-in people may ask to join an active affiliate they do not belong to
    and have no request waiting with (`own_membership`: theirs with it, if any;
    a refused or ended membership may ask again)."""
    from .choices import AffiliateStatus

    if not (user and user.is_authenticated and user.is_active):
        return False
    if affiliate.status != AffiliateStatus.ACTIVE:
        return False
    return own_membership is None or own_membership.status not in {
        MembershipStatus.PENDING,
        MembershipStatus.ACTIVE,
    }


def can_decide_memberships(user, affiliate_id: int) -> bool:
    """Answer join requests, change roles and remove members of this affiliate."""
    return is_staff(user) or is_admin(user, affiliate_id)


def can_decide_membership(user, membership) -> bool:
    """Approve, reject, change the role of or remove a membership."""
    return can_decide_memberships(user, membership.affiliate_id)


def private_view_affiliate_ids(user):
    """Affiliates whose members' records this person may work with: all for staff,
    their own affiliates for members (a queryset of ids or a set)."""
    from .models import Affiliate

    if is_staff(user):
        return Affiliate.objects.values("pk")
    return member_affiliate_ids(user)


def can_leave(user, membership) -> bool:
    return bool(user and user.is_authenticated and membership.user_id == user.pk)


def can_view_membership_history(user, membership) -> bool:
    return (
        is_staff(user)
        or is_admin(user, membership.affiliate_id)
        or membership.user_id == getattr(user, "pk", None)
    )


# Annual reports and deferments ---------------------------------------------------


def visible_affiliate_reports(user, queryset: QuerySet) -> QuerySet:
    if is_staff(user):
        return queryset
    return queryset.filter(affiliate_id__in=member_affiliate_ids(user))


def can_edit_affiliate_report(user, report) -> bool:
    """Members prepare the report while it is a draft or sent back."""
    return report.status in {
        AffiliateReportStatus.DRAFT,
        AffiliateReportStatus.SENT_BACK,
    } and (is_staff(user) or is_member(user, report.affiliate_id))


def can_submit_affiliate_report(user, report) -> bool:
    return is_staff(user) or is_admin(user, report.affiliate_id)


def can_review_affiliate_report(user, report) -> bool:
    return is_staff(user)


def visible_deferments(user, queryset: QuerySet) -> QuerySet:
    return visible_affiliate_reports(user, queryset)


def can_manage_deferments(user) -> bool:
    return is_staff(user)


def can_view_affiliate_record(user, report) -> bool:
    """A report, a deferment and their history: staff and the affiliate's members."""
    return is_staff(user) or is_member(user, report.affiliate_id)


def can_request_deferment(user, affiliate) -> bool:
    """An affiliate's admins ask staff for a reporting deferment."""
    return is_admin(user, affiliate.pk)


def can_decide_deferment_request(user) -> bool:
    """Staff grant or refuse deferment requests (as they grant deferments)."""
    return can_manage_deferments(user)


def visible_deferment_requests(user, queryset: QuerySet) -> QuerySet:
    """Staff: all; the affiliate's members: their affiliates' requests."""
    return visible_affiliate_reports(user, queryset)


def can_view_compliance_overview(user) -> bool:
    """The compliance overview of every affiliate (and its menu item): programme
    staff, who chase reports and grant deferments. Others never see the page."""
    return is_staff(user)
