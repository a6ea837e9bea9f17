"""Every API resource under /api/v1/."""

from rest_framework.routers import DefaultRouter

from affiliates.api.views import (
    AffiliateReportViewSet,
    AffiliateViewSet,
    DefermentViewSet,
    MembershipViewSet,
)
from cms.api import MyStoryViewSet, StoryViewSet
from exports.api import ROUTES as EXPORT_ROUTES
from grants.api.comments import CommentViewSet
from grants.api.committees import (
    AssignmentViewSet,
    CommitteeMemberViewSet,
    CommitteeViewSet,
    RecusalViewSet,
)
from grants.api.reviews import ReviewViewSet
from grants.api.views import (
    FundProgramViewSet,
    GrantReportViewSet,
    InterestDeclarationViewSet,
    ProposalDeclarationViewSet,
    ProposalViewSet,
    RoundViewSet,
)


class PortalRouter(DefaultRouter):
    """Ids in paths are bounded digits: anything else is a 404 before any query."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not getattr(viewset, "lookup_value_regex", None):
            viewset.lookup_value_regex = r"[0-9]{1,18}"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = PortalRouter()
router.register("affiliates", AffiliateViewSet, basename="affiliate")
router.register("memberships", MembershipViewSet, basename="membership")
router.register(
    "affiliate-reports", AffiliateReportViewSet, basename="affiliate-report"
)
router.register("deferments", DefermentViewSet, basename="deferment")
router.register("programs", FundProgramViewSet, basename="program")
router.register("rounds", RoundViewSet, basename="round")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("reports", GrantReportViewSet, basename="report")
router.register(
    "coi-declarations", ProposalDeclarationViewSet, basename="coi-declaration"
)
router.register(
    "interest-declarations", InterestDeclarationViewSet, basename="interest-declaration"
)
router.register("committees", CommitteeViewSet, basename="committee")
router.register(
    "committee-members", CommitteeMemberViewSet, basename="committee-member"
)
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("recusals", RecusalViewSet, basename="recusal")
router.register("reviews", ReviewViewSet, basename="review")
router.register("comments", CommentViewSet, basename="comment")
router.register("stories", StoryViewSet, basename="story")
router.register("my-stories", MyStoryViewSet, basename="my-story")
# PDF actions beside the resources they export, and the export jobs.
for prefix, viewset, basename in EXPORT_ROUTES:
    router.register(prefix, viewset, basename=basename)
