"""Who may see and do what with programs, proposals, grant reports and COI records.

Visibility of a proposal:
- staff: every proposal, every field;
- approved members of the applicant affiliate: their affiliate's proposals, every field;
- signed-in people: the public fields of proposals open for community comment or in
  committee review, and of awarded grants;
- everyone, signed in or not: the public fields of awarded grants.
Pending members are treated like anybody else until an admin approves them.
"""

from django.db.models import Q, QuerySet

from affiliates.permissions import is_admin, is_member, is_staff, member_affiliate_ids

from .choices import GrantReportStatus, ProposalStatus

AWARDED_STATUSES = frozenset(
    {
        ProposalStatus.APPROVED,
        ProposalStatus.APPROVED_WITH_CONDITIONS,
        ProposalStatus.FUNDED,
        ProposalStatus.REPORTING,
        ProposalStatus.CLOSED,
    }
)
COMMUNITY_STATUSES = frozenset(
    {ProposalStatus.COMMUNITY_REVIEW, ProposalStatus.COMMITTEE_REVIEW}
)


def visible_proposals(user, queryset: QuerySet) -> QuerySet:
    if is_staff(user):
        return queryset
    visible = Q(status__in=AWARDED_STATUSES)
    if user and user.is_authenticated:
        visible |= Q(status__in=COMMUNITY_STATUSES)
        visible |= Q(affiliate_id__in=member_affiliate_ids(user))
        visible |= committee_access_q(user)
    return queryset.filter(visible)


def count_visible_proposals(user, queryset: QuerySet) -> int:
    """`visible_proposals(user, queryset).count()`, counted in two parts that indexes
    serve, for lists that show their total: the statuses open to this reader (all of
    them may be counted from the status index alone), then what else they may see,
    which is only ever among their affiliates' proposals and their committees'
    rounds (the affiliate and round indexes). The rule itself is applied again to
    the second part, so the number is the same; counting the whole rule at once
    reads every row of the table."""
    from .models import Round

    if is_staff(user):
        return queryset.count()
    signed_in = bool(user and user.is_authenticated)
    open_to_reader = AWARDED_STATUSES | (COMMUNITY_STATUSES if signed_in else set())
    count = queryset.filter(status__in=open_to_reader).count()
    if not signed_in:
        return count
    their_rounds = Round.objects.filter(
        committee__members__user=user.pk, committee__members__is_active=True
    ).values("pk")
    candidates = queryset.exclude(status__in=open_to_reader).filter(
        Q(affiliate_id__in=member_affiliate_ids(user)) | Q(round_id__in=their_rounds)
    )
    return count + visible_proposals(user, candidates).count()


def with_reader_flags(user, queryset: QuerySet) -> QuerySet:
    """Annotate what the reader may see of each proposal, for lists without N+1:
    `committee_access` (committee data and private fields) and `committee_seat`."""
    from django.db.models import BooleanField, Case, Value, When

    if is_staff(user) or not (user and user.is_authenticated):
        flag = Value(is_staff(user), output_field=BooleanField())
        return queryset.annotate(committee_access=flag, committee_seat=flag)

    def as_flag(q):
        return Case(
            When(q, then=Value(True)), default=Value(False), output_field=BooleanField()
        )

    return queryset.annotate(
        committee_access=as_flag(committee_access_q(user)),
        committee_seat=as_flag(committee_seat_q(user)),
    )


def private_proposals(user, queryset: QuerySet) -> QuerySet:
    """Proposals whose private fields (budget, history) the user may see."""
    if is_staff(user):
        return queryset
    return queryset.filter(affiliate_id__in=member_affiliate_ids(user))


def can_view_proposal_private(user, proposal) -> bool:
    """Budget lines and internal dates: staff, the applicant's members, and committee
    members who declared no conflict and are not recused."""
    if is_staff(user) or is_member(user, proposal.affiliate_id):
        return True
    flag = getattr(proposal, "committee_access", None)
    return flag if flag is not None else has_committee_access(user, proposal)


def can_view_proposal_history(user, proposal) -> bool:
    """Who changed a proposal: staff and the applicant's members."""
    return is_staff(user) or is_member(user, proposal.affiliate_id)


def blind_to(user, queryset: QuerySet) -> QuerySet:
    """Proposals whose applicant is hidden from this reader (blind rounds)."""
    if is_staff(user) or not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(
        Q(round__hide_applicant_identity=True)
        & committee_seat_q(user)
        & ~Q(affiliate_id__in=member_affiliate_ids(user))
    )


def hides_applicant_from(user, proposal) -> bool:
    """Blind rounds hide the applicant from committee members (not staff)."""
    if not proposal.round.hide_applicant_identity:
        return False
    if is_staff(user) or is_member(user, proposal.affiliate_id):
        return False
    flag = getattr(proposal, "committee_seat", None)
    return flag if flag is not None else is_committee_member(user, proposal)


def without_blind(user, queryset: QuerySet) -> QuerySet:
    """Proposals that may be found by their applicant: filtering or searching by
    affiliate must not reveal whose proposal a blind round hides."""
    hidden = blind_to(user, queryset.model.objects.all())
    return queryset.exclude(pk__in=hidden.values("pk"))


def referable_proposals(user, queryset: QuerySet) -> QuerySet:
    """Proposals a person may name in a write (a review, a comment): those they may
    see. Others look absent, exactly like ids that do not exist."""
    return visible_proposals(user, queryset)


def can_create_proposal(user, affiliate) -> bool:
    return is_member(user, affiliate.pk)


def can_copy_proposal(user, proposal) -> bool:
    """A member of the affiliate may start a new draft from any of its proposals."""
    return is_member(user, proposal.affiliate_id)


def can_edit_proposal(user, proposal) -> bool:
    """Applicants edit drafts only (a proposal sent back is a draft again)."""
    return proposal.status == ProposalStatus.DRAFT and is_member(
        user, proposal.affiliate_id
    )


def can_delete_proposal(user, proposal) -> bool:
    """Only a draft that was never submitted: after that it stays on record."""
    return (
        proposal.status == ProposalStatus.DRAFT
        and proposal.submitted_at is None
        and is_admin(user, proposal.affiliate_id)
    )


def can_transition_proposal(user, proposal, transition: str) -> bool:
    """Affiliate admins submit and withdraw; staff take every other step."""
    if transition == "submit":
        return is_admin(user, proposal.affiliate_id)
    if transition == "withdraw":
        return is_staff(user) or is_admin(user, proposal.affiliate_id)
    return is_staff(user)


def can_manage_programs(user) -> bool:
    return is_staff(user)


def can_view_staff_record_history(user, record) -> bool:
    """Programs, rounds, committees, seats, assignments, recusals and comments: who
    changed them is for staff (their current state is public or on the record)."""
    return is_staff(user)


# Grant reports ----------------------------------------------------------------------


def visible_grant_reports(user, queryset: QuerySet) -> QuerySet:
    if is_staff(user):
        return queryset
    return queryset.filter(proposal__affiliate_id__in=member_affiliate_ids(user))


def reportable_rows(user, queryset: QuerySet) -> QuerySet:
    """Target metrics or budget lines a grant report writer may name: those of
    proposals whose private fields they see. Others look absent."""
    from .models import Proposal

    return queryset.filter(proposal__in=private_proposals(user, Proposal.objects.all()))


def can_view_grant_report(user, report) -> bool:
    return is_staff(user) or is_member(user, report.proposal.affiliate_id)


def can_edit_grant_report(user, report) -> bool:
    return report.status in {
        GrantReportStatus.DRAFT,
        GrantReportStatus.INCOMPLETE,
    } and is_member(user, report.proposal.affiliate_id)


def can_submit_grant_report(user, report) -> bool:
    return is_admin(user, report.proposal.affiliate_id)


def can_review_grant_report(user, report) -> bool:
    return is_staff(user)


# Conflict-of-interest declarations ------------------------------------------------


def visible_declarations(user, queryset: QuerySet) -> QuerySet:
    """Declarations are personal: the declarant and staff only."""
    if is_staff(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(user=user)


def can_view_declaration(user, declaration) -> bool:
    return is_staff(user) or declaration.user_id == getattr(user, "pk", None)


def can_edit_declaration(user, declaration) -> bool:
    """Only the declarant changes their own words; staff read them."""
    return declaration.user_id == getattr(user, "pk", None)


def declarable_proposals(user, queryset: QuerySet) -> QuerySet:
    """A person declares on proposals they can see that have left the draft stage."""
    return visible_proposals(user, queryset).exclude(status=ProposalStatus.DRAFT)


# Review, recusal and committee data ---------------------------------------------
#
# A person is recused from a proposal when any of these holds:
# - they declared a conflict for it;
# - they are a member of the applicant affiliate, in any role, or have asked to join;
# - their declaration of interests for this year or last names the affiliate;
# - staff recorded a recusal.
# Recusal is sticky: a conflict once declared, or a membership or declared interest
# that existed at any time since the proposal was created, still counts after it is
# withdrawn, so nobody can step out of a conflict to read the deliberation.
# A recused person cannot score it and sees no reviews, scores, aggregates, notes or
# votes for it anywhere. Everyone else on the round's committee sees that data only
# after declaring "no conflict" for the proposal.


def recusal_exists(user_ref, proposal_ref, affiliate_ref, since_ref=None) -> Q:
    """A Q that is true when the user is recused from the proposal.

    The arguments are expressions (an id, or OuterRef(...)), so the same rule serves
    a single check, a list filter and the aggregation of scores. `since_ref` is the
    proposal's creation time: membership and interest changes since then count even
    if undone.
    """
    from django.db.models import Exists
    from django.utils import timezone

    from affiliates.choices import MembershipStatus
    from affiliates.models import Membership

    from .models import DeclaredInterest, Proposal, ProposalDeclaration, Recusal

    if since_ref is None:
        since_ref = Proposal.objects.filter(pk=proposal_ref).values("created_at")[:1]
    this_year = timezone.localdate().year
    declared = ProposalDeclaration.history.filter(
        proposal_id=proposal_ref, user_id=user_ref, has_conflict=True
    )
    member_now = Membership.objects.filter(
        affiliate=affiliate_ref,
        user=user_ref,
        status__in=[MembershipStatus.ACTIVE, MembershipStatus.PENDING],
    )
    # Any membership change since the proposal was created: a request, an approval,
    # a removal or a rejection all mean the person was (asking to be) a member then.
    member_since = Membership.history.filter(
        affiliate_id=affiliate_ref, user_id=user_ref, history_date__gte=since_ref
    )
    interest_now = DeclaredInterest.objects.filter(
        affiliate=affiliate_ref,
        declaration__user=user_ref,
        declaration__year__gte=this_year - 1,
    )
    interest_since = DeclaredInterest.history.filter(
        affiliate_id=affiliate_ref,
        declaration__user=user_ref,
        history_date__gte=since_ref,
    )
    staff_recorded = Recusal.objects.filter(proposal=proposal_ref, user=user_ref)
    return (
        Q(Exists(declared))
        | Q(Exists(member_now))
        | Q(Exists(member_since))
        | Q(Exists(interest_now))
        | Q(Exists(interest_since))
        | Q(Exists(staff_recorded))
    )


# The three filters below are written for Proposal querysets. `via` names the path
# to the proposal from rows that point at one ("proposal__" for reviews): the test
# is then made on each row's own proposal, row by row, rather than by listing every
# proposal that passes it (which grows with all the proposals there are).


def recused_q(user, via: str = "") -> Q:
    """Filter for Proposal querysets: proposals the user is recused from."""
    from django.db.models import OuterRef

    return recusal_exists(
        user.pk,
        OuterRef(f"{via}pk"),
        OuterRef(f"{via}affiliate_id"),
        OuterRef(f"{via}created_at"),
    )


def committee_seat_q(user, via: str = "") -> Q:
    """Filter for Proposal querysets: proposals of rounds on the user's committees."""
    from django.db.models import Exists, OuterRef

    from .models import CommitteeMember

    return Q(
        Exists(
            CommitteeMember.objects.filter(
                committee=OuterRef(f"{via}round__committee"),
                user=user.pk,
                is_active=True,
            )
        )
    )


def committee_access_q(user, via: str = "") -> Q:
    """Proposals whose committee data (reviews, scores, votes) the user may see."""
    from django.db.models import Exists, OuterRef

    from .models import ProposalDeclaration

    declared_clear = Exists(
        ProposalDeclaration.objects.filter(
            proposal=OuterRef(f"{via}pk"), user=user.pk, has_conflict=False
        )
    )
    return committee_seat_q(user, via) & Q(declared_clear) & ~recused_q(user, via)


def _proposal_matches(proposal, q: Q) -> bool:
    from .models import Proposal

    return Proposal.objects.filter(Q(pk=proposal.pk) & q).exists()


def committee_proposals(user, queryset: QuerySet) -> QuerySet:
    """Proposals whose committee data the user may see: all for staff."""
    if is_staff(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(committee_access_q(user))


def committee_news_proposals(user, queryset: QuerySet) -> QuerySet:
    """Proposals whose committee news (a decision recorded) a person may hear of:
    all for staff; for others, their committees' proposals unless recused."""
    if is_staff(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(committee_seat_q(user) & ~recused_q(user))


def is_recused(user, proposal) -> bool:
    if not (user and user.is_authenticated):
        return False
    return _proposal_matches(proposal, recused_q(user))


def has_committee_access(user, proposal) -> bool:
    if is_staff(user):
        return True
    if not (user and user.is_authenticated):
        return False
    return _proposal_matches(proposal, committee_access_q(user))


def is_committee_member(user, proposal) -> bool:
    if not (user and user.is_authenticated):
        return False
    return _proposal_matches(proposal, committee_seat_q(user))


def can_manage_reviews(user) -> bool:
    """Committees, assignments, recusals, unlocking and decisions: staff."""
    return is_staff(user)


def visible_reviews(user, queryset: QuerySet) -> QuerySet:
    """Staff: all. Reviewers: their own, and others' submitted reviews of proposals
    they have committee access to. Applicants: submitted reviews of their own
    proposals once decided (shown without names, scores or committee notes)."""
    from .choices import ReviewStatus
    from .models import Proposal

    if is_staff(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    submitted = Q(status=ReviewStatus.SUBMITTED)
    decided_own = Proposal.objects.filter(
        affiliate_id__in=member_affiliate_ids(user), decided_at__isnull=False
    )
    return queryset.filter(
        (Q(reviewer=user) & ~recused_q(user, via="proposal__"))
        | (submitted & committee_access_q(user, via="proposal__"))
        | (submitted & Q(proposal__in=decided_own))
    )


def can_view_review_history(user, review) -> bool:
    return is_staff(user) or review.reviewer_id == getattr(user, "pk", None)


def visible_comments(user, queryset: QuerySet) -> QuerySet:
    """Comments on proposals the reader may see (hidden ones stay listed; the reader
    rules blank their text)."""
    from .models import Proposal

    return queryset.filter(proposal__in=visible_proposals(user, Proposal.objects.all()))


# Fields of a comment that any reader of it may sort or filter by. The text is not
# one of them: sorting by it would place hidden comments by what they say.
COMMENT_ORDERING_FIELDS = ("created_at", "id")


def can_reply_as_applicant(user, proposal) -> bool:
    return is_staff(user) or is_member(user, proposal.affiliate_id)


def comment_period_open(proposal) -> bool:
    """New comments and replies: while the proposal is in community review and its
    round's comment period has not ended (proposal.round loaded)."""
    from django.utils import timezone

    return (
        proposal.status == ProposalStatus.COMMUNITY_REVIEW
        and timezone.localdate() <= proposal.round.comment_period_ends_on
    )


def open_for_comments(user):
    """Proposals this person may read whose comment period is open now (see
    `comment_period_open`), soonest to close first."""
    from django.utils import timezone

    from .models import Proposal

    queryset = Proposal.objects.filter(
        status=ProposalStatus.COMMUNITY_REVIEW,
        round__comment_period_ends_on__gte=timezone.localdate(),
    )
    return visible_proposals(user, queryset).order_by(
        "round__comment_period_ends_on", "pk"
    )


def can_comment(user, proposal) -> bool:
    return bool(user and user.is_authenticated) and comment_period_open(proposal)


def can_reply_to_comments(user, proposal) -> bool:
    return can_comment(user, proposal) and can_reply_as_applicant(user, proposal)


def thread_comments(user, proposal, queryset: QuerySet) -> QuerySet:
    """The comments of a proposal's thread shown on its pages (the reader may see the
    proposal). Staff: all, hidden ones included (marked). The applicant's members:
    every comment not hidden. Everyone else: comments not hidden, and only while the
    proposal is before the community (comment period, then committee review)."""
    queryset = queryset.filter(proposal=proposal)
    if is_staff(user):
        return queryset
    queryset = queryset.filter(is_hidden=False)
    if is_member(user, proposal.affiliate_id):
        return queryset
    if proposal.status not in COMMUNITY_STATUSES:
        return queryset.none()
    return queryset


def can_report_comment(user, comment) -> bool:
    """Signed-in people report comments of others that are shown (not hidden)."""
    return (
        bool(user and user.is_authenticated)
        and comment.author_id != user.pk
        and not comment.is_hidden
    )


def can_moderate_comments(user) -> bool:
    return is_staff(user)


def can_restore_comment(user, comment) -> bool:
    """Showing a hidden comment again is moderation too: staff."""
    return can_moderate_comments(user)


def can_use_staff_pages(user) -> bool:
    """The staff work pages (inbox, eligibility check, reviewer assignment, round
    set-up, moderation) and their menu item: programme staff only."""
    return is_staff(user)


def recused_user_ids(proposal, user_ids) -> set[int]:
    """Which of these people are recused from the proposal (one query)."""
    from django.contrib.auth import get_user_model
    from django.db.models import OuterRef

    return set(
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .filter(
            recusal_exists(
                OuterRef("pk"), proposal.pk, proposal.affiliate_id, proposal.created_at
            )
        )
        .values_list("pk", flat=True)
    )


def recused_pairs(proposals: QuerySet, user_ids) -> set[tuple[int, int]]:
    """(proposal id, user id) for each of these people recused from each of these
    proposals, in one query (a column per person: committees are small)."""
    from django.db.models import BooleanField, ExpressionWrapper, OuterRef

    user_ids = sorted(set(user_ids))
    if not user_ids:
        return set()
    flags = {
        f"recused_{uid}": ExpressionWrapper(
            recusal_exists(
                uid, OuterRef("pk"), OuterRef("affiliate_id"), OuterRef("created_at")
            ),
            output_field=BooleanField(),
        )
        for uid in user_ids
    }
    pairs = set()
    for row in proposals.annotate(**flags).values("pk", *flags):
        pairs.update((row["pk"], uid) for uid in user_ids if row[f"recused_{uid}"])
    return pairs


def has_active_seat(user, committee_id) -> bool:
    """An active member (voting or not) of this committee."""
    from .models import CommitteeMember

    if not (user and getattr(user, "pk", None)):
        return False
    return CommitteeMember.objects.filter(
        committee_id=committee_id, user=user.pk, is_active=True
    ).exists()


def can_view_ranking(user, round_) -> bool:
    """Staff and the round's committee; rows stay subject to recusal."""
    return is_staff(user) or has_active_seat(user, round_.committee_id)


def can_view_decision(user, proposal) -> bool:
    """Staff, the committee with access, and the applicant (without the votes)."""
    return has_committee_access(user, proposal) or can_view_proposal_history(
        user, proposal
    )


# Committees, seats, assignments and recusals ---------------------------------------


def visible_committees(user, queryset: QuerySet) -> QuerySet:
    """Staff: all committees. Others: the committees they hold a seat on."""
    if is_staff(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(members__user=user.pk).distinct()


def visible_committee_members(user, queryset: QuerySet) -> QuerySet:
    """Staff: every seat. Others: the seats of committees they sit on."""
    if is_staff(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(committee__members__user=user.pk).distinct()


def visible_assignments(user, queryset: QuerySet) -> QuerySet:
    """Staff: every assignment. Reviewers: their own."""
    if is_staff(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(reviewer=user.pk)


def assignments_in_force(user, queryset: QuerySet) -> QuerySet:
    """One's own assignments that still stand: a seat on the round's committee and
    no recusal from the proposal since (a recused or departed reviewer hears
    nothing more of it, not even its title)."""
    if not (user and user.is_authenticated):
        return queryset.none()
    return queryset.filter(
        Q(reviewer=user.pk)
        & committee_seat_q(user, via="proposal__")
        & ~recused_q(user, via="proposal__")
    )


def proposals_to_score(user, queryset: QuerySet) -> QuerySet:
    """Proposals on which the user holds an assignment in force."""
    from .models import ReviewerAssignment

    mine = assignments_in_force(user, ReviewerAssignment.objects.all())
    return queryset.filter(pk__in=mine.values("proposal_id"))


def visible_recusals(user, queryset: QuerySet) -> QuerySet:
    """Recusals recorded by staff: staff only (the committee reads the recusal
    record of a proposal instead, which names no reason beyond its type)."""
    return queryset if is_staff(user) else queryset.none()


def assignment_refusal(reviewer, proposal) -> str | None:
    """Why this person cannot be assigned to review the proposal, or None."""
    from django.utils.translation import gettext as _

    if not has_active_seat(reviewer, proposal.round.committee_id):
        return _("This person is not on the round's committee.")
    if is_recused(reviewer, proposal):
        return _("This person is recused from this proposal.")
    return None


def scoring_refusal(user, proposal) -> str | None:
    """Why the user may not score the proposal now, or None: they must be assigned,
    still seated, not recused and have declared no conflict."""
    from django.utils.translation import gettext as _

    from .models import ProposalDeclaration, ReviewerAssignment

    if not ReviewerAssignment.objects.filter(proposal=proposal, reviewer=user).exists():
        return _("You are not assigned to review this proposal.")
    if not has_active_seat(user, proposal.round.committee_id):
        return _("You no longer sit on this round's committee.")
    if is_recused(user, proposal):
        return _("You are recused from this proposal.")
    if not ProposalDeclaration.objects.filter(
        proposal=proposal, user=user, has_conflict=False
    ).exists():
        return _("Declare whether you have a conflict of interest before reviewing.")
    return None


# Reviewer pages ------------------------------------------------------------------


def _review_roles(user) -> dict[str, bool]:
    """Whether the person has a reviewer assignment and an active committee seat:
    one query, remembered on the user object for the request (the menu and the
    pages both ask)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists

    from .models import CommitteeMember, ReviewerAssignment

    cached = getattr(user, "_portal_review_roles", None)
    if cached is None:
        row = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .annotate(
                assigned=Exists(ReviewerAssignment.objects.filter(reviewer=user.pk)),
                seated=Exists(
                    CommitteeMember.objects.filter(user=user.pk, is_active=True)
                ),
            )
            .values("assigned", "seated")
            .first()
        ) or {"assigned": False, "seated": False}
        cached = user._portal_review_roles = row
    return cached


def has_review_work(user) -> bool:
    """Whether the reviewer pages (queue, declaration of interests) are for this
    person: anyone with a reviewer assignment or an active committee seat."""
    if not (user and user.is_authenticated):
        return False
    roles = _review_roles(user)
    return roles["assigned"] or roles["seated"]


def review_closed_reason(user, proposal, review=None) -> str | None:
    """Why the reviewer cannot write their review of the proposal now, or None: the
    scoring refusal, a proposal no longer in committee review, or the deadline."""
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from .models import Review

    refusal = scoring_refusal(user, proposal)
    if refusal:
        return refusal
    if proposal.status != ProposalStatus.COMMITTEE_REVIEW:
        return _("Scoring is open only while the proposal is in committee review.")
    if (review or Review(proposal=proposal)).is_locked():
        return _(
            "The scoring deadline (%(deadline)s) has passed, so the review is "
            "locked. Programme staff can reopen it."
        ) % {"deadline": date_format(proposal.round.scoring_deadline, "DATE_FORMAT")}
    return None


def own_recusal_reasons(user, proposal) -> list[str]:
    """Why the user is recused from the proposal, in words, for the user themself:
    the parts of `recusal_exists` that hold. Empty when they are not recused."""
    from django.db.models import Exists
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from affiliates.choices import MembershipStatus
    from affiliates.models import Membership

    from .models import DeclaredInterest, Proposal, ProposalDeclaration, Recusal

    if not (user and user.is_authenticated):
        return []
    since = proposal.created_at
    this_year = timezone.localdate().year
    checks = {
        "declared": ProposalDeclaration.history.filter(
            proposal_id=proposal.pk, user_id=user.pk, has_conflict=True
        ),
        "member": Membership.objects.filter(
            affiliate=proposal.affiliate_id,
            user=user.pk,
            status__in=[MembershipStatus.ACTIVE, MembershipStatus.PENDING],
        ),
        "member_since": Membership.history.filter(
            affiliate_id=proposal.affiliate_id, user_id=user.pk, history_date__gte=since
        ),
        "interest": DeclaredInterest.history.filter(
            affiliate_id=proposal.affiliate_id, declaration__user=user.pk
        ).filter(Q(history_date__gte=since) | Q(declaration__year__gte=this_year - 1)),
        "staff": Recusal.objects.filter(proposal=proposal.pk, user=user.pk),
    }
    found = (
        Proposal.objects.filter(pk=proposal.pk)
        .annotate(**{name: Exists(qs) for name, qs in checks.items()})
        .values(*checks)
        .first()
    ) or {}
    words = {
        "declared": _("You declared a conflict of interest for this proposal."),
        "member": _(
            "You are, or were while this proposal was under way, a member of the "
            "applicant affiliate (or asked to join it)."
        ),
        "interest": _("Your declaration of interests names the applicant affiliate."),
        "staff": _("Programme staff recorded a recusal for you."),
    }
    words["member_since"] = words["member"]
    reasons = []
    for name in checks:
        if found.get(name) and words[name] not in reasons:
            reasons.append(words[name])
    if not reasons and is_recused(user, proposal):
        reasons.append(_("A past membership or declared interest links you to it."))
    return reasons


# Committee pages ---------------------------------------------------------------------


def has_any_committee_seat(user) -> bool:
    """An active seat (voting or not) on any committee: the committee pages are for
    them and for staff (the main menu shows "Committee")."""

    if is_staff(user):
        return True
    if not (user and user.is_authenticated):
        return False
    return _review_roles(user)["seated"]


def committee_rounds(user, queryset: QuerySet) -> QuerySet:
    """Rounds whose ranking the user may open (see `can_view_ranking`): staff every
    round with a committee, others the rounds of committees they have an active
    seat on."""
    from .models import CommitteeMember

    queryset = queryset.filter(committee__isnull=False)
    if is_staff(user):
        return queryset
    if not (user and user.is_authenticated):
        return queryset.none()
    seats = CommitteeMember.objects.filter(user=user.pk, is_active=True)
    return queryset.filter(committee__in=seats.values("committee"))


def can_record_decision(user, proposal) -> bool:
    """Staff record the committee's decision (with its vote) on a proposal in
    committee review that has none yet."""
    from .models import Decision

    return (
        can_manage_reviews(user)
        and proposal.status == ProposalStatus.COMMITTEE_REVIEW
        and not Decision.objects.filter(proposal=proposal.pk).exists()
    )
