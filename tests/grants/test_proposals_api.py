"""Writing proposals through the API: nested budgets, field errors, atomic writes."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from affiliates.models import AffiliateReport
from grants.choices import ProposalStatus
from grants.models import BudgetLine, Proposal, TargetMetric
from tests.factories import AffiliateReportFactory, ProposalFactory, RoundFactory

URL = "/api/v1/proposals/"


@pytest.fixture
def round_(db):
    return RoundFactory()


def payload(affiliate, round_, **overrides):
    start = timezone.localdate() + datetime.timedelta(days=40)
    data = {
        "affiliate": affiliate.pk,
        "program": round_.program_id,
        "round": round_.pk,
        "title": "Taller de Wikidata en Oaxaca",
        "summary": "Dos jornadas con bibliotecarias.",
        "description": "Jornadas de carga de datos con seguimiento mensual.",
        "language": "es",
        "start_date": start.isoformat(),
        "end_date": (start + datetime.timedelta(days=90)).isoformat(),
        "currency": "MXN",
        "exchange_rate": "18.000000",
        "amount_requested": "36000.00",
        "budget_lines": [
            {
                "activity": "Jornadas",
                "category": "travel_events",
                "unit": "jornada",
                "unit_cost": "9000.00",
                "quantity": "2",
            },
            {
                "activity": "Coordinación",
                "category": "personnel",
                "unit": "mes",
                "unit_cost": "6000.00",
                "quantity": "3",
                "description": "Media jornada",
            },
        ],
        "target_metrics": [
            {"kind": "participants", "target": 30},
            {"kind": "custom", "name": "Elementos creados en Wikidata", "target": 500},
        ],
        "change_reason": "Primer borrador",
    }
    data.update(overrides)
    return data


def test_member_creates_proposal_with_budget_and_targets(
    api, member_a, affiliate_a, round_
):
    response = api(member_a).post(URL, payload(affiliate_a, round_), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["budget_total"] == "36000.00"
    assert body["amount_requested_usd"] == "2000.00"
    assert [line["total"] for line in body["budget_lines"]] == ["18000.00", "18000.00"]
    assert {line["currency"] for line in body["budget_lines"]} == {"MXN"}
    assert len(body["target_metrics"]) == 2
    assert body["reference"].startswith("GP-")
    proposal = Proposal.objects.get(pk=body["id"])
    assert proposal.history.get().history_change_reason == "Primer borrador"
    assert proposal.history.get().history_user == member_a


def test_update_replaces_lines_keeping_those_named_by_id(api, member_a, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a)
    keep = proposal.budget_lines.first()
    response = api(member_a).patch(
        f"{URL}{proposal.pk}/",
        {
            "amount_requested": "26000.00",
            "budget_lines": [
                {
                    "id": keep.pk,
                    "activity": keep.activity,
                    "category": keep.category,
                    "unit": keep.unit,
                    "unit_cost": "4000.00",
                    "quantity": "5",
                },
                {
                    "activity": "Prizes",
                    "category": "communications",
                    "unit": "prize",
                    "unit_cost": "1000.00",
                    "quantity": "6",
                },
            ],
            "change_reason": "Fewer workshops, more prizes",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    lines = list(BudgetLine.objects.filter(proposal=proposal))
    assert len(lines) == 2
    assert keep.pk in {line.pk for line in lines}
    assert sum(line.total for line in lines) == Decimal("26000.00")
    # The deleted line's removal is in history with the reason.
    deleted = BudgetLine.history.filter(proposal_id=proposal.pk, history_type="-").get()
    assert deleted.activity == "Coordination"
    assert deleted.history_change_reason == "Fewer workshops, more prizes"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_requested": "900000.00"}, "amount_requested"),  # 50,000 USD > 5,000
        ({"amount_requested": "1800.00"}, "amount_requested"),  # 100 USD < 500
        ({"end_date": "2020-01-01"}, "end_date"),
        ({"currency": "XYZ"}, "currency"),
        ({"language": "Spanish!"}, "language"),
        ({"exchange_rate": "-3"}, "exchange_rate"),
        (
            {
                "budget_lines": [
                    {
                        "activity": "A",
                        "category": "other",
                        "unit": "u",
                        "unit_cost": "10",
                        "quantity": "-2",
                    }
                ]
            },
            "budget_lines",
        ),
        (
            {
                "budget_lines": [
                    {
                        "activity": "A",
                        "category": "other",
                        "unit": "u",
                        "unit_cost": "10",
                        "quantity": "2",
                        "currency": "EUR",
                    }
                ]
            },
            "budget_lines",
        ),
        ({"target_metrics": [{"kind": "custom", "target": 5}]}, "target_metrics"),
        (
            {"target_metrics": [{"kind": "participants", "target": -1}]},
            "target_metrics",
        ),
    ],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(
    api, member_a, affiliate_a, round_, overrides, field
):
    response = api(member_a).post(
        URL, payload(affiliate_a, round_, **overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Proposal.objects.exists()
    assert not BudgetLine.objects.exists()
    assert not TargetMetric.objects.exists()
    assert not Proposal.history.exists()


def test_errors_speak_the_readers_language(api, member_a, affiliate_a, round_):
    response = api(member_a).post(
        URL,
        payload(affiliate_a, round_, end_date="2020-01-01", title=""),
        format="json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400
    assert response.json()["title"] == ["Este campo no puede estar en blanco."]
    response = api(member_a).post(
        URL,
        payload(affiliate_a, round_, end_date="2020-01-01"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.json()["end_date"] == [
        "La date de fin doit être égale ou postérieure à la date de début."
    ]


def test_non_member_cannot_create_for_another_affiliate(
    api, member_b, affiliate_a, round_
):
    response = api(member_b).post(URL, payload(affiliate_a, round_), format="json")
    assert response.status_code == 403
    assert not Proposal.objects.exists()


def test_applicant_cannot_edit_after_submission_until_sent_back(
    api, admin_a, staff, affiliate_a
):
    proposal = ProposalFactory(affiliate=affiliate_a)
    client = api(admin_a)
    assert (
        client.post(f"{URL}{proposal.pk}/submit/", {}, format="json").status_code == 200
    )
    response = client.patch(f"{URL}{proposal.pk}/", {"title": "Changed"}, format="json")
    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).title == proposal.title
    response = api(staff).post(
        f"{URL}{proposal.pk}/send-back/",
        {"change_reason": "Add the venue quote."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    response = client.patch(f"{URL}{proposal.pk}/", {"title": "Changed"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Changed"


def test_past_due_affiliate_cannot_submit_and_is_told_which_report(
    api, admin_a, affiliate_a
):
    AffiliateReportFactory(
        affiliate=affiliate_a,
        fiscal_year=2025,
        kind="financial",
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    proposal = ProposalFactory(affiliate=affiliate_a)
    response = api(admin_a).post(f"{URL}{proposal.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    message = response.json()["affiliate"][0]
    assert "Financial report" in message and "2025" in message
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.DRAFT


def test_deferred_affiliate_may_submit(api, admin_a, affiliate_a, staff):
    from tests.factories import DefermentFactory

    AffiliateReportFactory(
        affiliate=affiliate_a,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    DefermentFactory(affiliate=affiliate_a, granted_by=staff)
    proposal = ProposalFactory(affiliate=affiliate_a)
    response = api(admin_a).post(f"{URL}{proposal.pk}/submit/", {}, format="json")
    assert response.status_code == 200, response.json()


def test_submit_checks_budget_adds_up_and_round_is_open(api, admin_a, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a, amount_requested=Decimal("31000"))
    response = api(admin_a).post(f"{URL}{proposal.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert "30000.00" in response.json()["amount_requested"][0]

    closed = RoundFactory(
        opens_on=timezone.localdate() - datetime.timedelta(60),
        closes_on=timezone.localdate() - datetime.timedelta(30),
    )
    late = ProposalFactory(affiliate=affiliate_a, round=closed)
    response = api(admin_a).post(f"{URL}{late.pk}/submit/", {}, format="json")
    assert response.status_code == 400
    assert "round" in response.json()
    assert AffiliateReport.objects.count() == 0


def test_exchange_rate_cannot_change_after_award(api, admin_a, staff, affiliate_a):
    proposal = ProposalFactory(
        affiliate=affiliate_a, status=ProposalStatus.COMMITTEE_REVIEW
    )
    response = api(staff).post(
        f"{URL}{proposal.pk}/approve/", {"exchange_rate": "12.000000"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["exchange_rate_frozen_at"]
    assert body["amount_approved_usd"] == "2500.00"
    response = api(admin_a).patch(
        f"{URL}{proposal.pk}/", {"exchange_rate": "5"}, format="json"
    )
    assert response.status_code == 403
    assert Proposal.objects.get(pk=proposal.pk).exchange_rate == Decimal("12")


def test_draft_deletion_keeps_history(api, admin_a, member_a, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a)
    assert api(member_a).delete(f"{URL}{proposal.pk}/").status_code == 403
    response = api(admin_a).delete(f"{URL}{proposal.pk}/?change_reason=Duplicate")
    assert response.status_code == 204
    assert not Proposal.objects.filter(pk=proposal.pk).exists()
    last = Proposal.history.filter(id=proposal.pk).latest()
    assert last.history_type == "-"
    assert last.history_user == admin_a
    assert last.history_change_reason == "Duplicate"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ar", "لا يمكن لـWikimedia Ghana Test التقدّم ما دام لديها تقرير متأخر"),
        ("zh-hans", "Wikimedia Ghana Test 有逾期报告，暂不能申请"),
        ("ru", "Wikimedia Ghana Test не может подавать заявки, пока просрочен отчёт"),
        ("de", "Wikimedia Ghana Test kann nichts beantragen, solange ein Bericht"),
    ],
)
def test_past_due_error_in_the_applicants_language(
    api, admin_a, affiliate_a, language, expected
):
    AffiliateReportFactory(
        affiliate=affiliate_a,
        fiscal_year=2025,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    proposal = ProposalFactory(affiliate=affiliate_a)
    response = api(admin_a).post(
        f"{URL}{proposal.pk}/submit/", {}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 400
    assert response.json()["affiliate"][0].startswith(expected)
