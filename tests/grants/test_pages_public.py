"""The public funded-grants pages: filters, totals, public fields only, query counts."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants import funded_figures
from grants.choices import ProposalStatus
from tests.factories import (
    AffiliateFactory,
    FundProgramFactory,
    ProposalFactory,
    RoundFactory,
    UserFactory,
    with_two_factor,
)


def awarded(affiliate=None, status=ProposalStatus.FUNDED, year=None, **kwargs):
    decided = timezone.now()
    if year:
        decided = decided.replace(year=year)
    return ProposalFactory(
        affiliate=affiliate or AffiliateFactory(),
        status=status,
        amount_approved=Decimal("25000.00"),
        exchange_rate=Decimal("12.5"),
        decided_at=decided,
        **kwargs,
    )


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def grants(affiliate_a, affiliate_b):
    rapid = RoundFactory()
    general = RoundFactory(program=FundProgramFactory(name="General Support"))
    return {
        "ghana": awarded(affiliate_a, round=rapid, program=rapid.program, year=2025),
        "mexico": awarded(
            affiliate_b,
            status=ProposalStatus.CLOSED,
            round=general,
            program=general.program,
        ),
        "draft": ProposalFactory(affiliate=affiliate_a, title="Secret draft"),
        "declined": ProposalFactory(
            affiliate=affiliate_a, status=ProposalStatus.DECLINED, title="Said no"
        ),
    }


def test_visitor_sees_awarded_grants_only_with_usd_total(client, grants):
    response = client.get(reverse("grants:funded"))
    assert response.status_code == 200
    html = response.content.decode()
    assert grants["ghana"].title in html
    assert grants["mexico"].title in html
    assert "Secret draft" not in html and "Said no" not in html
    # 2 × 25,000 at 12.5 per dollar.
    assert "4,000.00 USD" in html
    assert "Grants found: 2" in html


@pytest.mark.parametrize(
    "params, shown, hidden",
    [
        ({"region": "lac"}, "mexico", "ghana"),
        ({"year": "2025"}, "ghana", "mexico"),
        ({"affiliate": "prueba"}, "mexico", "ghana"),
    ],
)
def test_filters_narrow_the_list_and_the_total(client, grants, params, shown, hidden):
    html = client.get(reverse("grants:funded"), params).content.decode()
    assert grants[shown].title in html
    assert grants[hidden].title not in html
    assert "2,000.00 USD" in html


def test_program_filter(client, grants):
    program = grants["mexico"].program
    html = client.get(reverse("grants:funded"), {"program": program.pk}).content
    assert grants["mexico"].title.encode() in html
    assert grants["ghana"].title.encode() not in html


def test_bad_filter_shows_the_error_and_keeps_the_list(client, grants):
    response = client.get(reverse("grants:funded"), {"program": "999999"})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content


def test_grant_page_shows_public_fields_only(client, grants):
    grant = grants["ghana"]
    response = client.get(reverse("grants:grant", args=[grant.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert grant.title in html and grant.description in html
    assert "25,000.00 GHS" in html and "2,000.00 USD" in html
    assert grant.affiliate.name in html
    assert "Participants" in html  # targets are public
    # Budget lines are private: not on the public page.
    assert "Workshops" not in html.replace("Workshops for new editors", "")
    assert "Coordination" not in html


@pytest.mark.parametrize("which", ["draft", "declined"])
def test_grant_page_of_unawarded_proposal_is_404(grants, which, member_a):
    pk = grants[which].pk
    assert Client().get(reverse("grants:grant", args=[pk])).status_code == 404
    # Even for the applicant's members: this is the public page.
    assert (
        signed_in(member_a).get(reverse("grants:grant", args=[pk])).status_code == 404
    )


def test_blind_round_hides_applicant_from_committee_member(grants, db):
    from grants.models import Committee, CommitteeMember

    committee = Committee.objects.create(name="Blind committee", quorum=1)
    round_ = RoundFactory(committee=committee, hide_applicant_identity=True)
    grant = awarded(round=round_, program=round_.program)
    seat = UserFactory(username="seat")
    with_two_factor(seat)
    CommitteeMember.objects.create(committee=committee, user=seat)
    html = signed_in(seat).get(reverse("grants:grant", args=[grant.pk])).content
    assert grant.affiliate.name.encode() not in html
    assert b"Not shown during this review" in html
    # Nor can the applicant be found by filtering on it.
    listing = signed_in(seat).get(
        reverse("grants:funded"), {"affiliate": grant.affiliate.slug}
    )
    assert b"Select a valid choice" in listing.content
    assert grant.affiliate.name.encode() not in listing.content


def test_signed_in_and_arabic_pages_work(grants, outsider):
    client = signed_in(outsider)
    assert client.get("/ar/grants/funded/").status_code == 200
    grant = grants["ghana"]
    response = client.get(f"/ar/grants/funded/{grant.pk}/")
    assert response.status_code == 200
    assert b'dir="rtl"' in response.content


def test_menu_links_funded_grants(client, db):
    html = client.get(reverse("affiliates:directory")).content.decode()
    assert f'href="{reverse("grants:funded")}"' in html


def test_list_queries_do_not_grow_with_rows(client, db, django_assert_max_num_queries):
    rounds = [RoundFactory() for _ in range(2)]
    for i in range(2):
        awarded(round=rounds[i % 2], program=rounds[i % 2].program)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("grants:funded"))
    for i in range(8):
        awarded(round=rounds[i % 2], program=rounds[i % 2].program)
    # Factories write past the award service, which would drop the kept totals.
    funded_figures.forget_site_summary()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("grants:funded"))
    assert response.content.count(b'href="/grants/funded/') >= 10


def test_grant_page_query_count(client, grants, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get(reverse("grants:grant", args=[grants["ghana"].pk]))


def test_pagination_keeps_filters(client, db):
    round_ = RoundFactory()
    for _ in range(21):
        awarded(round=round_, program=round_.program)
    html = client.get(reverse("grants:funded"), {"region": "ssa"}).content.decode()
    assert "region=ssa&amp;page=2" in html
    assert "Grants found: 21" in html
    _ = datetime  # dates come from the factories


# The site-wide figures kept in the cache (grants/funded_figures.py) -----------------


def test_an_award_shows_at_once_in_the_kept_totals(
    client, staff, affiliate_a, django_capture_on_commit_callbacks
):
    from grants.services import proposals as services

    awarded(affiliate_a)  # 25,000 at 12.5 per dollar
    html = client.get(reverse("grants:funded")).content.decode()
    assert "Grants found: 1" in html and "2,000.00 USD" in html
    proposal = ProposalFactory(
        affiliate=affiliate_a,
        status=ProposalStatus.COMMITTEE_REVIEW,
        title="Newly awarded",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_approve(
            actor=staff,
            proposal=proposal,
            amount_approved=Decimal("50000"),
            exchange_rate=Decimal("12.5"),
        )
    html = client.get(reverse("grants:funded")).content.decode()
    assert "Newly awarded" in html
    assert "Grants found: 2" in html and "6,000.00 USD" in html


def test_kept_totals_follow_renamed_programmes_and_moved_affiliates(client, staff):
    from grants.services import programs as program_services

    round_ = RoundFactory(program=FundProgramFactory(name="Rapid Fund"))
    grant = awarded(
        AffiliateFactory(region="ssa"), round=round_, program=round_.program
    )
    client.get(reverse("grants:funded"))  # the figures are kept from here
    program_services.program_update(
        actor=staff, program=round_.program, name="Quick Fund"
    )
    grant.affiliate.region = "lac"
    grant.affiliate.save()
    html = client.get(reverse("grants:funded")).content.decode()
    assert "Programmes: 1. The largest amount: Quick Fund." in html
    assert "Rapid Fund" not in html
    assert "Regions: 1. The largest amount: Latin America and the Caribbean." in html


def test_kept_figures_leave_out_what_a_blind_round_hides(client, db):
    from grants.models import Committee, CommitteeMember

    committee = Committee.objects.create(name="Blind committee", quorum=1)
    blind = RoundFactory(committee=committee, hide_applicant_identity=True)
    hidden = awarded(
        AffiliateFactory(region="mena", slug="hidden-applicant"),
        round=blind,
        program=blind.program,
    )
    seat = UserFactory(username="seat")
    with_two_factor(seat)
    CommitteeMember.objects.create(committee=committee, user=seat)
    option = 'value="hidden-applicant"'
    # A visitor first: the figures are kept, with the applicant in them.
    html = client.get(reverse("grants:funded")).content.decode()
    assert option in html and "Middle East and North Africa" in html
    html = signed_in(seat).get(reverse("grants:funded")).content.decode()
    assert hidden.title in html and "Grants found: 1" in html
    assert option not in html
    start = html.index("Awarded per region")
    assert "Middle East and North Africa" not in html[start:]
