"""The staff compliance overview (affiliates/views/compliance.py): who may open it,
filters, past due first, the reasons, the chart, deferments granted from the page and
the affiliates' deferment requests decided there, and a constant query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from affiliates import services
from affiliates.choices import AffiliateStatus, DefermentRequestStatus
from affiliates.models import Deferment, DefermentRequest
from grants.models import Committee, CommitteeMember
from tests.factories import (
    AffiliateFactory,
    AffiliateReportFactory,
    DefermentFactory,
    UserFactory,
    with_two_factor,
)

pytestmark = pytest.mark.django_db

URL = "/affiliates/compliance/"


@pytest.fixture
def staff_client(client, staff):
    with_two_factor(staff)
    client.force_login(staff)
    return client


@pytest.fixture
def committee_member(db):
    user = UserFactory(username="seat")
    committee = Committee.objects.create(name="Regional committee", quorum=1)
    CommitteeMember.objects.create(committee=committee, user=user)
    with_two_factor(user)
    return user


def past_due(**kwargs):
    affiliate = AffiliateFactory(**kwargs)
    AffiliateReportFactory(
        affiliate=affiliate, fiscal_year=2025, due_date=datetime.date(2026, 4, 30)
    )
    return affiliate


def test_url_is_stable():
    assert reverse("affiliates:compliance") == URL


def test_staff_see_the_overview_and_the_menu_item(staff_client):
    response = staff_client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Compliance of affiliates" in body
    assert f'href="{URL}"' in body  # the main-menu item


@pytest.mark.parametrize(
    "role", ["admin_a", "member_a", "committee_member", "outsider"]
)
def test_others_are_refused_and_have_no_menu_item(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    home = client.get(reverse("affiliates:directory")).content.decode()
    assert f'href="{URL}"' not in home


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_past_due_first_with_the_reason(staff_client):
    AffiliateFactory(name="Aardvark compliant")
    AffiliateFactory(name="Beta suspended", status=AffiliateStatus.SUSPENDED)
    DefermentFactory(affiliate=AffiliateFactory(name="Gamma deferred"))
    past_due(name="Zulu past due")
    body = staff_client.get(URL).content.decode()
    order = [
        body.index(name)
        for name in (
            "Zulu past due",
            "Beta suspended",
            "Gamma deferred",
            "Aardvark compliant",
        )
    ]
    assert order == sorted(order)
    assert "Activity report for fiscal year 2025, due" in body
    assert "Reporting is deferred until" in body
    assert "The affiliate&#x27;s status is: Suspended." in body
    assert "Every required report is in on time." in body


def test_filters_by_type_region_and_status(staff_client):
    past_due(name="Ghana chapter", type="chapter", region="ssa")
    past_due(name="Mexico group", type="user_group", region="lac")
    AffiliateFactory(name="Quiet chapter", type="chapter", region="ssa")

    body = staff_client.get(URL, {"type": "user_group"}).content.decode()
    assert "Mexico group" in body and "Ghana chapter" not in body
    body = staff_client.get(URL, {"region": "ssa"}).content.decode()
    assert "Ghana chapter" in body and "Quiet chapter" in body
    assert "Mexico group" not in body
    body = staff_client.get(URL, {"status": "compliant"}).content.decode()
    assert "Quiet chapter" in body and "Ghana chapter" not in body
    # an unknown value is ignored, not an error
    assert staff_client.get(URL, {"status": "nonsense"}).status_code == 200


def test_chart_counts_each_status_with_a_text_alternative(staff_client):
    past_due()
    past_due()
    AffiliateFactory()
    body = staff_client.get(URL).content.decode()
    assert "Compliance across affiliates" in body
    assert "2 of 3 affiliates are past due" in body
    assert "<table" in body  # the chart's table


def test_pagination_keeps_filters(staff_client):
    for _ in range(30):
        AffiliateFactory(type="chapter")
    body = staff_client.get(URL, {"type": "chapter"}).content.decode()
    assert "type=chapter" in body and "page=2" in body


def test_staff_grant_a_deferment_through_the_service(staff_client, staff):
    affiliate = past_due(name="Flooded chapter")
    url = reverse("affiliates:compliance_defer", args=[affiliate.slug])
    assert staff_client.get(url).status_code == 200
    today = timezone.localdate()
    response = staff_client.post(
        url,
        {
            "cause": "disaster",
            "valid_from": today.isoformat(),
            "until": (today + datetime.timedelta(days=90)).isoformat(),
            "explanation": "Floods closed the office.",
            "reason": "Confirmed by the regional officer.",
        },
    )
    assert response.status_code == 302
    deferment = Deferment.objects.get(affiliate=affiliate)
    record = deferment.history.first()
    assert record.history_user == staff
    assert record.history_change_reason == "Confirmed by the regional officer."
    assert affiliate.compliance_as_of() == "deferred"


def test_bad_deferment_keeps_input_with_errors_next_to_fields(staff_client):
    affiliate = past_due()
    url = reverse("affiliates:compliance_defer", args=[affiliate.slug])
    today = timezone.localdate()
    response = staff_client.post(
        url,
        {
            "cause": "disaster",
            "valid_from": today.isoformat(),
            "until": (today + datetime.timedelta(days=500)).isoformat(),
            "explanation": "Typed text stays",
            "reason": "",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Typed text stays" in body
    assert 'id="id_until_error"' in body and 'id="id_reason_error"' in body
    assert not Deferment.objects.filter(affiliate=affiliate).exists()


@pytest.mark.parametrize("role", ["admin_a", "member_a", "outsider"])
def test_others_cannot_grant_deferments(client, request, role, affiliate_a):
    client.force_login(request.getfixturevalue(role))
    url = reverse("affiliates:compliance_defer", args=[affiliate_a.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, {"cause": "disaster"}).status_code == 403
    assert not Deferment.objects.exists()


@pytest.fixture
def waiting(admin_a, affiliate_a):
    return services.deferment_request(
        actor=admin_a,
        affiliate=affiliate_a,
        cause="war",
        until=timezone.localdate() + datetime.timedelta(days=120),
        explanation="The office is closed.",
    )


def test_waiting_request_is_granted_from_the_page(staff_client, staff, waiting):
    body = staff_client.get(URL).content.decode()
    assert "The office is closed." in body
    url = reverse("affiliates:deferment_request_grant", args=[waiting.pk])
    response = staff_client.post(url, {"reason": "Agreed with the board."})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == DefermentRequestStatus.GRANTED
    assert waiting.deferment.history.first().history_change_reason == (
        "Agreed with the board."
    )
    assert waiting.history.first().history_user == staff


def test_refusing_needs_a_reason_shown_next_to_the_field(staff_client, waiting):
    url = reverse("affiliates:deferment_request_refuse", args=[waiting.pk])
    response = staff_client.post(url, {"reason": "  "})
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="request-{waiting.pk}-reason_error"' in body
    waiting.refresh_from_db()
    assert waiting.status == DefermentRequestStatus.REQUESTED

    response = staff_client.post(url, {"reason": "Reports are already late."})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == DefermentRequestStatus.REFUSED
    assert waiting.decision_reason == "Reports are already late."


def test_deciding_twice_is_answered_politely(staff_client, waiting):
    url = reverse("affiliates:deferment_request_grant", args=[waiting.pk])
    staff_client.post(url, {"reason": ""})
    response = staff_client.post(url, {"reason": ""}, follow=True)
    assert "already decided" in response.content.decode()
    assert DefermentRequest.objects.get().status == DefermentRequestStatus.GRANTED


@pytest.mark.parametrize("role", ["admin_a", "member_a", "outsider"])
def test_others_cannot_decide_requests(client, request, role, waiting):
    client.force_login(request.getfixturevalue(role))
    for name in ("deferment_request_grant", "deferment_request_refuse"):
        url = reverse(f"affiliates:{name}", args=[waiting.pk])
        assert client.post(url, {"reason": "x"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == DefermentRequestStatus.REQUESTED


def _queries(client, count):
    for i in range(count):
        affiliate = past_due() if i % 3 == 0 else AffiliateFactory()
        if i % 3 == 1:
            DefermentFactory(affiliate=affiliate)
    with CaptureQueriesContext(connection) as context:
        assert client.get(URL).status_code == 200
    return len(context.captured_queries)


def test_query_count_does_not_grow_with_affiliates(staff_client):
    few = _queries(staff_client, 2)
    many = _queries(staff_client, 10)
    assert few == many
