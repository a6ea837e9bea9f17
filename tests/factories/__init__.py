"""factory_boy factories. They build rows directly; tests of behaviour call services."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from affiliates.choices import AffiliateType, MembershipRole, MembershipStatus, Region
from affiliates.models import Affiliate, AffiliateReport, Deferment, Membership
from grants.choices import BudgetCategory, MetricKind, ProposalStatus
from grants.models import (
    BudgetLine,
    FundProgram,
    InterestDeclaration,
    Proposal,
    ProposalDeclaration,
    Round,
    Rubric,
    RubricCriterion,
    TargetMetric,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pass-for-tests")


class StaffFactory(UserFactory):
    is_staff = True


class AffiliateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affiliate

    name = factory.Sequence(lambda n: f"Affiliate {n}")
    slug = factory.Sequence(lambda n: f"affiliate-{n}")
    type = AffiliateType.CHAPTER
    country = "GH"
    region = Region.SUB_SAHARAN_AFRICA
    working_languages = factory.LazyFunction(lambda: ["en"])
    recognition_date = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=200)
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    affiliate = factory.SubFactory(AffiliateFactory)
    role = MembershipRole.MEMBER
    status = MembershipStatus.ACTIVE


class AffiliateReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AffiliateReport

    affiliate = factory.SubFactory(AffiliateFactory)
    fiscal_year = 2025
    kind = "activity"
    due_date = datetime.date(2026, 4, 30)


class DefermentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deferment

    affiliate = factory.SubFactory(AffiliateFactory)
    cause = "disaster"
    explanation = "Floods closed the office."
    valid_from = factory.LazyFunction(timezone.localdate)
    until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(90))
    granted_by = factory.SubFactory(StaffFactory)


class FundProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundProgram

    name = factory.Sequence(lambda n: f"Rapid Fund {n}")
    slug = factory.Sequence(lambda n: f"rapid-{n}")
    min_amount_usd = Decimal("500")
    max_amount_usd = Decimal("5000")
    eligible_types = factory.LazyFunction(lambda: list(AffiliateType.values))
    max_duration_months = 12


class RubricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rubric

    program = factory.SubFactory(FundProgramFactory)
    version = 1


class RubricCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RubricCriterion

    rubric = factory.SubFactory(RubricFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")


class RoundFactory(factory.django.DjangoModelFactory):
    """A round open today."""

    class Meta:
        model = Round

    program = factory.SubFactory(FundProgramFactory)
    name = factory.Sequence(lambda n: f"Round {n}")
    opens_on = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(10)
    )
    closes_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(20)
    )
    comment_period_ends_on = factory.LazyAttribute(
        lambda r: r.closes_on + datetime.timedelta(30)
    )
    scoring_deadline = factory.LazyAttribute(
        lambda r: r.comment_period_ends_on + datetime.timedelta(14)
    )


class ProposalFactory(factory.django.DjangoModelFactory):
    """A complete draft: 2 budget lines adding up to the amount, one target."""

    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    affiliate = factory.SubFactory(AffiliateFactory)
    round = factory.SubFactory(RoundFactory)
    program = factory.SelfAttribute("round.program")
    title = factory.Sequence(lambda n: f"Proposal {n}")
    summary = "Workshops for new editors."
    description = "Six workshops with follow-up sessions."
    language = "en"
    status = ProposalStatus.DRAFT
    start_date = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(60)
    )
    end_date = factory.LazyAttribute(lambda p: p.start_date + datetime.timedelta(180))
    currency = "GHS"
    amount_requested = Decimal("30000.00")
    exchange_rate = Decimal("12.5")

    @factory.post_generation
    def lines(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        BudgetLine.objects.create(
            proposal=self,
            activity="Workshops",
            category=BudgetCategory.TRAVEL_EVENTS,
            unit="workshop",
            unit_cost=Decimal("4000"),
            quantity=Decimal("6"),
            currency=self.currency,
        )
        BudgetLine.objects.create(
            proposal=self,
            activity="Coordination",
            category=BudgetCategory.PERSONNEL,
            unit="month",
            unit_cost=Decimal("1000"),
            quantity=Decimal("6"),
            currency=self.currency,
            position=1,
        )
        TargetMetric.objects.create(
            proposal=self, kind=MetricKind.PARTICIPANTS, target=120
        )


class InterestDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InterestDeclaration

    user = factory.SubFactory(UserFactory)
    year = 2026
    no_interests = True


class ProposalDeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProposalDeclaration

    user = factory.SubFactory(UserFactory)
    proposal = factory.SubFactory(ProposalFactory, status=ProposalStatus.SUBMITTED)
    has_conflict = False


def with_two_factor(user, secret: str | None = None):
    """Give `user` an authenticator app (TOTP), as staff and committee members need
    before they may open any page. Returns the secret (for pyotp)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def proposal_open_for_comments(affiliate, **kwargs):
    """A proposal in community review whose round's comment period runs for ten
    more days."""
    today = timezone.localdate()
    round_ = RoundFactory(
        opens_on=today - datetime.timedelta(40),
        closes_on=today - datetime.timedelta(10),
        comment_period_ends_on=today + datetime.timedelta(10),
    )
    return ProposalFactory(
        affiliate=affiliate,
        round=round_,
        program=round_.program,
        status=ProposalStatus.COMMUNITY_REVIEW,
        **kwargs,
    )
