from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBILITY_CHECK = "eligibility_check", _("Eligibility check")
    COMMUNITY_REVIEW = "community_review", _("Community review")
    COMMITTEE_REVIEW = "committee_review", _("Committee review")
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approved with conditions")
    DECLINED = "declined", _("Declined")
    FUNDED = "funded", _("Funded")
    REPORTING = "reporting", _("Reporting")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class BudgetCategory(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel")
    ADMINISTRATIVE = "administrative", _("Administrative")
    GRANTS = "grants", _("Grants and contributions")
    EQUIPMENT = "equipment", _("Equipment and materials")
    SERVICES = "services", _("Services")
    TRAVEL_EVENTS = "travel_events", _("Travel and events")
    COMMUNICATIONS = "communications", _("Communications")
    LEARNING = "learning", _("Learning and evaluation")
    IN_KIND = "in_kind", _("In-kind")
    OTHER = "other", _("Other")


class MetricKind(models.TextChoices):
    PARTICIPANTS = "participants", _("Participants")
    NEW_USERS = "new_users", _("Newly registered users")
    CONTENT_PAGES = "content_pages", _("Content pages created or improved")
    CUSTOM = "custom", _("Defined by the grantee")


class GrantReportKind(models.TextChoices):
    INTERIM = "interim", _("Interim report")
    ANNUAL = "annual", _("Yearly report")
    FINAL = "final", _("Final report")


class GrantReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    INCOMPLETE = "incomplete", _("Incomplete (sent back)")


class InterestKind(models.TextChoices):
    ORGANISATION_ROLE = "organisation_role", _("Role in an organisation")
    PAID_WORK = "paid_work", _("Paid work for an affiliate (last two years)")
    CLOSE_RELATIONSHIP = "close_relationship", _("Close relationship")
    FINANCIAL = "financial", _("Financial interest")
    OTHER = "other", _("Other")


class ConflictType(models.TextChoices):
    MEMBER = "member", _("Member of the applicant")
    BOARD = "board", _("Board member of the applicant")
    EMPLOYEE = "employee", _("Employee or contractor of the applicant")
    FAMILY = "family", _("Family or close relationship")
    FINANCIAL = "financial", _("Financial interest")
    OTHER = "other", _("Other")


class RecommendationChoice(models.TextChoices):
    FUND = "fund", _("Fund")
    FUND_WITH_CONDITIONS = "fund_with_conditions", _("Fund with conditions")
    DO_NOT_FUND = "do_not_fund", _("Do not fund")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approved with conditions")
    DECLINED = "declined", _("Declined")


class VoteChoice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class ReaderLevel(models.TextChoices):
    """How much of committee data a reader sees (reviews, in the API and PDFs)."""

    FULL = "full", _("Everything (staff, or the author)")
    COMMITTEE = "committee", _("Committee view")
    APPLICANT = "applicant", _("Applicant view")


class WithheldReason(models.TextChoices):
    """Why a proposal's committee data is withheld from a committee member."""

    RECUSED = "recused", _("Recused")
    DECLARATION_NEEDED = "declaration_needed", _("Declaration needed")
    NO_ACCESS = "no_access", _("No access")


class RecusalSource(models.TextChoices):
    """How a recusal came about."""

    DECLARED = "declared", _("Declared a conflict")
    AUTOMATIC = "automatic", _("Membership or declared interest")
    STAFF = "staff", _("Recorded by staff")
