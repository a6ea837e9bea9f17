"""Every API resource under /api/v1/."""

from rest_framework.routers import DefaultRouter

from affiliates.api.views import (
    AffiliateReportViewSet,
    AffiliateViewSet,
    DefermentViewSet,
    MembershipViewSet,
)
from grants.api.views import (
    FundProgramViewSet,
    GrantReportViewSet,
    InterestDeclarationViewSet,
    ProposalDeclarationViewSet,
    ProposalViewSet,
    RoundViewSet,
)

router = DefaultRouter()
router.register("affiliates", AffiliateViewSet, basename="affiliate")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("affiliate-reports", AffiliateReportViewSet, basename="affiliate-report")
router.register("deferments", DefermentViewSet, basename="deferment")
router.register("programs", FundProgramViewSet, basename="program")
router.register("rounds", RoundViewSet, basename="round")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("reports", GrantReportViewSet, basename="report")
router.register("coi-declarations", ProposalDeclarationViewSet, basename="coi-declaration")
router.register(
    "interest-declarations", InterestDeclarationViewSet, basename="interest-declaration"
)
