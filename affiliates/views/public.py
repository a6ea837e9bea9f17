"""Pages: the affiliate directory, public profiles, asking to join, and the join
requests an affiliate's admins answer.

What a reader sees of an affiliate comes from `readers.affiliate_omitted_fields`, its
members from `permissions.visible_memberships`; every POST is a service call
(`membership_request`, `membership_approve`, `membership_reject`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from grants import permissions as grant_permissions
from grants.views.public import funded_grants
from portal.users import display_name

from .. import permissions, readers, services
from ..choices import ComplianceStatus, MembershipStatus
from ..forms.public import (
    ApproveRequestForm,
    DirectoryFilterForm,
    JoinRequestForm,
    RefuseRequestForm,
)
from ..models import Affiliate, Membership

PAGE_SIZE = 20
COMPLIANCE_TONES = {
    ComplianceStatus.COMPLIANT: "success",
    ComplianceStatus.DEFERRED: "info",
    ComplianceStatus.PAST_DUE: "danger",
    ComplianceStatus.SUSPENDED: "warning",
}


@require_GET
def directory(request):
    countries = sorted(
        set(Affiliate.objects.order_by().values_list("country", flat=True).distinct())
    )
    form = DirectoryFilterForm(request.GET or None, countries=countries)
    filters = form.cleaned_data if form.is_valid() else {}
    affiliates = Affiliate.objects.order_by("name")
    if filters.get("q"):
        affiliates = affiliates.filter(
            Q(name__icontains=filters["q"]) | Q(slug__icontains=filters["q"])
        )
    if filters.get("country"):
        code = "" if filters["country"] == "-" else filters["country"]
        affiliates = affiliates.filter(country=code)
    if filters.get("region"):
        affiliates = affiliates.filter(region=filters["region"])
    if filters.get("type"):
        affiliates = affiliates.filter(type=filters["type"])
    page = Paginator(affiliates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "affiliates/public/directory.html",
        {
            "form": form,
            "page_obj": page,
            "affiliates": page.object_list,
            "count": page.paginator.count,
            "filtered": bool(filters and any(filters.values())),
        },
    )


def own_membership(user, affiliate) -> Membership | None:
    if not (user and user.is_authenticated):
        return None
    return Membership.objects.filter(user=user, affiliate=affiliate).first()


def decision_reasons(membership_ids) -> dict[int, str]:
    """{membership id: the reason given with its refusal}, from the history, in one
    query (the reason is kept on the history row the refusal wrote)."""
    if not membership_ids:
        return {}
    reasons = {}
    records = Membership.history.filter(
        id__in=membership_ids, status=MembershipStatus.REJECTED
    ).order_by("id", "-history_date", "-history_id")
    for record in records.only("id", "history_change_reason"):
        reasons.setdefault(record.id, record.history_change_reason or "")
    return reasons


def _pending_requests(user, affiliate):
    return (
        permissions.visible_memberships(
            user,
            Membership.objects.filter(
                affiliate=affiliate, status=MembershipStatus.PENDING
            ),
        )
        .select_related("user__profile", "affiliate")
        .order_by("requested_at", "id")
    )


def _profile_context(request, affiliate, join_form=None) -> dict:
    from cms.models import LearningStoryPage
    from cms.permissions import visible_stories

    user = request.user
    membership = own_membership(user, affiliate)
    omitted = readers.affiliate_omitted_fields(user, affiliate)
    shows_members = (
        not affiliate.hide_members
        or permissions.can_view_affiliate_private(user, affiliate)
    )
    members = []
    if shows_members:
        rows = (
            permissions.visible_memberships(
                user, affiliate.memberships.filter(status=MembershipStatus.ACTIVE)
            )
            .select_related("user__profile")
            .order_by("role", "id")
        )
        members = [{"name": display_name(m.user), "membership": m} for m in rows]
    grants = (
        grant_permissions.without_blind(user, funded_grants(user))
        .filter(affiliate=affiliate)
        .order_by("-decided_at", "-id")[:PAGE_SIZE]
    )
    stories = (
        visible_stories(user, LearningStoryPage.objects.filter(affiliate=affiliate))
        .select_related("locale")
        .order_by("-date", "-id")[:PAGE_SIZE]
    )
    may_decide = permissions.can_decide_memberships(user, affiliate.pk)
    may_join = permissions.can_ask_to_join(user, affiliate, membership)
    compliance = getattr(affiliate, "compliance", "") or ""
    return {
        "affiliate": affiliate,
        "compliance_label": ComplianceStatus(compliance).label if compliance else "",
        "compliance_tone": COMPLIANCE_TONES.get(compliance, "neutral"),
        "membership": membership,
        "refusal_reason": decision_reasons([membership.pk]).get(membership.pk, "")
        if membership and membership.status == MembershipStatus.REJECTED
        else "",
        "shows_compliance": "compliance" not in omitted,
        "shows_members": shows_members,
        "members": members,
        "grants": list(grants),
        "stories": [(story, story.get_url(request)) for story in stories],
        "may_join": may_join,
        "join_form": join_form or (JoinRequestForm() if may_join else None),
        "may_decide": may_decide,
        "pending_count": _pending_requests(user, affiliate).count()
        if may_decide
        else 0,
        "is_member": permissions.is_member(user, affiliate.pk),
    }


@require_GET
def profile(request, slug):
    affiliate = get_object_or_404(Affiliate.objects.with_compliance(), slug=slug)
    return render(
        request, "affiliates/public/profile.html", _profile_context(request, affiliate)
    )


@login_required
@require_http_methods(["GET", "POST"])
def join(request, slug):
    """Ask to join: the form on its own page (the profile shows it too)."""
    affiliate = get_object_or_404(Affiliate.objects.with_compliance(), slug=slug)
    membership = own_membership(request.user, affiliate)
    if not permissions.can_ask_to_join(request.user, affiliate, membership):
        if request.method == "POST":
            raise PermissionDenied(_("You cannot ask to join this affiliate now."))
        return HttpResponseRedirect(reverse("affiliates:profile", args=[slug]))
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_request(
                actor=request.user,
                affiliate=affiliate,
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Your request is sent. The affiliate's admins will answer it."),
            )
            return HttpResponseRedirect(reverse("affiliates:profile", args=[slug]))
    return render(
        request,
        "affiliates/public/join.html",
        {"affiliate": affiliate, "form": form},
        status=400 if form.errors else 200,
    )


def _admin_affiliate(request, slug) -> Affiliate:
    affiliate = get_object_or_404(Affiliate, slug=slug)
    if not permissions.can_decide_memberships(request.user, affiliate.pk):
        raise PermissionDenied(_("Only the affiliate's admins answer join requests."))
    return affiliate


def _requests_page(request, affiliate, bound=None, status=200):
    """The pending requests, each with its approve and refuse forms; `bound` is
    the (membership pk, form) that just failed, shown with its errors."""
    rows = []
    for membership in _pending_requests(request.user, affiliate):
        omitted = readers.membership_omitted_fields(request.user, membership)
        approve = ApproveRequestForm(prefix=f"approve-{membership.pk}")
        refuse = RefuseRequestForm(prefix=f"refuse-{membership.pk}")
        if bound and bound[0] == membership.pk:
            if isinstance(bound[1], RefuseRequestForm):
                refuse = bound[1]
            else:
                approve = bound[1]
        rows.append(
            {
                "membership": membership,
                "name": display_name(membership.user),
                "message": "" if "message" in omitted else membership.message,
                "approve_form": approve,
                "refuse_form": refuse,
            }
        )
    return render(
        request,
        "affiliates/public/requests.html",
        {"affiliate": affiliate, "rows": rows},
        status=status,
    )


@login_required
@require_GET
def requests(request, slug):
    affiliate = _admin_affiliate(request, slug)
    return _requests_page(request, affiliate)


def _pending_for_decision(request, slug, pk) -> Membership:
    affiliate = _admin_affiliate(request, slug)
    return get_object_or_404(_pending_requests(request.user, affiliate), pk=pk)


@login_required
@require_POST
def request_approve(request, slug, pk):
    membership = _pending_for_decision(request, slug, pk)
    form = ApproveRequestForm(request.POST, prefix=f"approve-{pk}")
    if not form.is_valid():
        return _requests_page(
            request, membership.affiliate, bound=(pk, form), status=400
        )
    services.membership_approve(
        actor=request.user, membership=membership, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        _("%(name)s is now a member.") % {"name": display_name(membership.user)},
    )
    return HttpResponseRedirect(reverse("affiliates:requests", args=[slug]))


@login_required
@require_POST
def request_refuse(request, slug, pk):
    membership = _pending_for_decision(request, slug, pk)
    form = RefuseRequestForm(request.POST, prefix=f"refuse-{pk}")
    if not form.is_valid():
        return _requests_page(
            request, membership.affiliate, bound=(pk, form), status=400
        )
    services.membership_reject(
        actor=request.user, membership=membership, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        _("The request of %(name)s is refused.")
        % {"name": display_name(membership.user)},
    )
    return HttpResponseRedirect(reverse("affiliates:requests", args=[slug]))


urlpatterns = [
    path("", directory, name="directory"),
    path("<slug:slug>/", profile, name="profile"),
    path("<slug:slug>/join/", join, name="join"),
    path("<slug:slug>/requests/", requests, name="requests"),
    path(
        "<slug:slug>/requests/<int:pk>/approve/",
        request_approve,
        name="request_approve",
    ),
    path(
        "<slug:slug>/requests/<int:pk>/refuse/",
        request_refuse,
        name="request_refuse",
    ),
]
