"""What a given reader may see of proposals and of the committee's work.

`permissions.py` answers "may this person see or do this at all?". This module
answers the next question, "and what of it?": which fields of a proposal, how much of
a review, whether people are named, what is withheld and why. The API serializers,
the PDF documents and the web pages all ask here; none of them decides on its own.

Every function takes the reader (a user, possibly anonymous) first. Lists use
`permissions.with_reader_flags` (annotations) or ids computed once, so that reading a
page of rows costs the same number of queries whatever its length.
"""

from dataclasses import dataclass

from django.db.models import BooleanField, Exists, OuterRef, QuerySet, Value

from affiliates.permissions import is_staff
from portal.users import display_name

from . import permissions
from .choices import ReaderLevel, WithheldReason

# Proposals ----------------------------------------------------------------------------

# Budget lines, internal dates and the actions one may take: staff, the applicant's
# members and committee members with access (see permissions.can_view_proposal_private).
PROPOSAL_PRIVATE_FIELDS = frozenset(
    {
        "budget_lines",
        "budget_total",
        "submitted_at",
        "created_at",
        "updated_at",
        "allowed_actions",
    }
)
# The applicant, left out for committee members in rounds that hide it.
PROPOSAL_APPLICANT_FIELDS = frozenset({"affiliate"})
PROPOSAL_OMITTABLE_FIELDS = PROPOSAL_PRIVATE_FIELDS | PROPOSAL_APPLICANT_FIELDS


@dataclass(frozen=True)
class ProposalView:
    """What one reader sees of one proposal."""

    private: bool
    hide_applicant: bool

    @property
    def omitted_fields(self) -> frozenset[str]:
        omitted = set()
        if not self.private:
            omitted |= PROPOSAL_PRIVATE_FIELDS
        if self.hide_applicant:
            omitted |= PROPOSAL_APPLICANT_FIELDS
        return frozenset(omitted)


def proposal_view(user, proposal) -> ProposalView:
    """The reader's view of a proposal they may see (check visibility first)."""
    return ProposalView(
        private=permissions.can_view_proposal_private(user, proposal),
        hide_applicant=permissions.hides_applicant_from(user, proposal),
    )


def proposals_for_reader(user, queryset: QuerySet) -> QuerySet:
    """The proposals the reader may see, annotated so that `proposal_view` needs no
    further query per row."""
    return permissions.with_reader_flags(
        user, permissions.visible_proposals(user, queryset)
    )


# People on the committee --------------------------------------------------------------


def shows_people(user, round_) -> bool:
    """Whether reviewers, voters and recused members are named to this reader.
    Rounds that hide reviewers from each other name them to staff only."""
    return is_staff(user) or not round_.hide_reviewer_identities


def sees_member_declarations(user) -> bool:
    """Who declared what, member by member, is personal: the declarant and staff
    (the committee reads counts and the recusal record)."""
    return is_staff(user)


def committee_proposal_ids(user, proposals: QuerySet | None = None) -> set[int] | None:
    """Ids of the proposals (among `proposals`, all by default) whose committee data
    the reader may see, in one query; None means "all of them" (staff)."""
    from .models import Proposal

    if is_staff(user):
        return None
    if not (user and user.is_authenticated):
        return set()
    queryset = Proposal.objects.all() if proposals is None else proposals
    return set(
        queryset.filter(permissions.committee_access_q(user)).values_list(
            "pk", flat=True
        )
    )


def withheld_reason(user, proposal_id: int, recused_ids: set[int]) -> WithheldReason:
    """Why a committee member does not get a proposal's committee data."""
    if proposal_id in recused_ids:
        return WithheldReason.RECUSED
    if user and user.is_authenticated:
        return WithheldReason.DECLARATION_NEEDED
    return WithheldReason.NO_ACCESS


# Reviews ------------------------------------------------------------------------------

# What the applicant reads of a review of their decided proposal: no names, no scores,
# no note to the committee.
REVIEW_APPLICANT_FIELDS = frozenset(
    {"id", "proposal", "recommendation", "comment_to_applicant"}
)
REVIEW_OMITTABLE_FIELDS = frozenset(
    {
        "reviewer",
        "status",
        "scores",
        "note_to_committee",
        "submitted_at",
        "unlocked_until",
        "is_locked",
    }
)


def review_level(user, review, committee_ids: set[int] | None = ...) -> ReaderLevel:
    """How much of a review (one the reader may see) they see. `committee_ids`, from
    `committee_proposal_ids`, saves a query per review in lists."""
    if is_staff(user) or review.reviewer_id == getattr(user, "pk", None):
        return ReaderLevel.FULL
    if committee_ids is ...:
        access = permissions.has_committee_access(user, review.proposal)
    else:
        access = committee_ids is None or review.proposal_id in committee_ids
    return ReaderLevel.COMMITTEE if access else ReaderLevel.APPLICANT


def review_omitted_fields(user, review, committee_ids=...) -> frozenset[str]:
    level = review_level(user, review, committee_ids)
    if level == ReaderLevel.APPLICANT:
        return REVIEW_OMITTABLE_FIELDS
    if level == ReaderLevel.COMMITTEE and not shows_people(user, review.proposal.round):
        return frozenset({"reviewer"})
    return frozenset()


# Decisions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionView:
    """The applicant learns the outcome and rationale; the committee also reads the
    tally and the votes, with names unless the round hides them."""

    votes: bool
    names: bool

    @property
    def omitted_fields(self) -> frozenset[str]:
        return frozenset() if self.votes else frozenset({"tally", "votes"})


DECISION_OMITTABLE_FIELDS = frozenset({"tally", "votes"})


def decision_view(user, proposal) -> DecisionView:
    return DecisionView(
        votes=permissions.has_committee_access(user, proposal),
        names=shows_people(user, proposal.round),
    )


# Community comments -------------------------------------------------------------------


@dataclass(frozen=True)
class CommentView:
    body_hidden: bool
    # Replies of an applicant that a blind round hides: no author at all.
    author_hidden: bool
    # A member of an applicant that hides its members, not named to this reader.
    author_masked: bool
    author_name: str


COMMENT_OMITTABLE_FIELDS = frozenset({"author"})


def comments_for_reader(user, queryset: QuerySet) -> QuerySet:
    """Visible comments, each annotated with `applicant_hidden` (the proposal's
    applicant is hidden from this reader) and `author_in_applicant` (the author has
    a membership record with the applicant), so that no row costs a query."""
    from affiliates.models import Membership

    from .models import Proposal

    hidden = permissions.blind_to(
        user, Proposal.objects.filter(pk=OuterRef("proposal"))
    )
    flag = (
        Value(False, output_field=BooleanField())
        if is_staff(user) or not (user and user.is_authenticated)
        else Exists(hidden)
    )
    in_applicant = Exists(
        Membership.objects.filter(
            user=OuterRef("author"), affiliate=OuterRef("proposal__affiliate")
        )
    )
    return (
        permissions.visible_comments(user, queryset)
        .select_related("author__profile", "proposal__affiliate", "proposal__round")
        .annotate(applicant_hidden=flag, author_in_applicant=in_applicant)
    )


def comment_view(user, comment) -> CommentView:
    """Hidden comments lose their text for everyone but staff (it stays in the
    history). Replies come from the applicant: anonymous in blind rounds."""
    from affiliates.readers import masks_member, member_name

    hidden_applicant = getattr(comment, "applicant_hidden", None)
    if hidden_applicant is None:
        hidden_applicant = permissions.hides_applicant_from(user, comment.proposal)
    in_applicant = getattr(comment, "author_in_applicant", None)
    if in_applicant is None:
        in_applicant = comment.author.memberships.filter(
            affiliate=comment.proposal.affiliate_id
        ).exists()
    affiliate = comment.proposal.affiliate
    masked = in_applicant and masks_member(user, comment.author, affiliate)
    return CommentView(
        body_hidden=comment.is_hidden and not is_staff(user),
        author_hidden=bool(comment.parent_id) and hidden_applicant,
        author_masked=masked,
        author_name=member_name(user, comment.author, affiliate)
        if in_applicant
        else display_name(comment.author),
    )
