"""Charts on existing pages (grants/charts.py): budget by category on the proposal
page, amounts awarded per programme and per region on the funded-grants page. Each is
a table with a summary (its text alternative) and works in Arabic."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants.choices import ProposalStatus
from grants.models import Committee, CommitteeMember
from tests.factories import (
    AffiliateFactory,
    FundProgramFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
    with_two_factor,
)

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_proposal_page_shows_budget_by_category_in_local_currency_and_usd(
    admin_a, affiliate_a
):
    proposal = ProposalFactory(affiliate=affiliate_a)  # GHS at 12.5 per USD
    body = signed_in(admin_a).get(reverse("grants:proposal", args=[proposal.pk]))
    html = body.content.decode()
    assert "Budget by category" in html
    assert 'class="chart"' in html and "chart-bars" in html
    # Travel and events 24,000 GHS (1,920 USD), personnel 6,000 GHS (480 USD).
    assert "Travel and events" in html and "Personnel" in html
    assert "24,000.00 GHS (1,920.00 USD)" in html
    assert "6,000.00 GHS (480.00 USD)" in html
    assert "The largest part of the budget is Travel and events: 80% of" in html


def test_budget_chart_only_where_the_budget_is_shown(outsider, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.FUNDED)
    client = signed_in(outsider)
    response = client.get(reverse("grants:proposal", args=[proposal.pk]))
    if response.status_code == 200:
        assert "Budget by category" not in response.content.decode()


def test_proposal_chart_in_arabic(admin_a, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a)
    response = signed_in(admin_a).get(f"/ar/grants/proposals/{proposal.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html and "chart-bars" in html


def awarded(affiliate, program_round, amount="25000.00"):
    return ProposalFactory(
        affiliate=affiliate,
        status=ProposalStatus.FUNDED,
        round=program_round,
        program=program_round.program,
        amount_approved=Decimal(amount),
        exchange_rate=Decimal("12.5"),
        decided_at=timezone.now(),
    )


def test_funded_page_charts_per_programme_and_region(client, db):
    rapid = RoundFactory(program=FundProgramFactory(name="Rapid Fund"))
    general = RoundFactory(program=FundProgramFactory(name="General Support"))
    awarded(AffiliateFactory(region="ssa"), rapid)
    awarded(AffiliateFactory(region="lac"), general, "50000.00")
    awarded(AffiliateFactory(region="lac"), general, "12500.00")
    html = client.get(reverse("grants:funded")).content.decode()
    assert "Awarded per programme" in html and "Awarded per region" in html
    assert "General Support" in html and "Latin America and the Caribbean" in html
    assert "5,000.00 USD" in html  # General Support: 62,500 / 12.5
    assert "Programmes: 2. The largest amount: General Support." in html
    assert "Regions: 2. The largest amount: Latin America and the Caribbean." in html
    # The filters narrow the charts too.
    html = client.get(reverse("grants:funded"), {"region": "ssa"}).content.decode()
    assert "Regions: 1. The largest amount: Sub-Saharan Africa." in html


def test_region_chart_leaves_out_what_a_blind_round_hides(db):
    committee = Committee.objects.create(name="Blind committee", quorum=1)
    blind = RoundFactory(committee=committee, hide_applicant_identity=True)
    awarded(AffiliateFactory(region="mena"), blind)
    seat = UserFactory(username="seat")
    with_two_factor(seat)
    CommitteeMember.objects.create(committee=committee, user=seat)
    html = signed_in(seat).get(reverse("grants:funded")).content.decode()
    assert "Awarded per programme" in html
    start = html.index("Awarded per region")
    region_chart = html[start : html.index("</figure>", start)]
    assert "Middle East and North Africa" not in region_chart
    assert "Nothing to show yet." in region_chart


def test_funded_charts_in_arabic(client, db):
    awarded(AffiliateFactory(region="ssa"), RoundFactory())
    response = client.get("/ar/grants/funded/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'dir="rtl"' in html and html.count('class="chart"') == 2
