"""Limits on every input (portal/limits.py) and no direction overrides in titles."""

import time

import pytest
from django.core.exceptions import ValidationError

from grants.choices import GrantReportKind, ProposalStatus
from grants.models import BudgetLine, Proposal
from grants.services import proposals as proposal_services
from portal import limits
from tests.factories import AffiliateFactory, ProposalFactory

RLO = "\u202e"  # right-to-left override
LRI = "\u2066"  # left-to-right isolate
RLM = "\u200f"  # right-to-left mark (allowed)


def line(n):
    return {
        "activity": f"A{n}",
        "category": "other",
        "unit": "day",
        "unit_cost": "1",
        "quantity": "1",
    }


@pytest.fixture
def draft(affiliate_a):
    return ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.DRAFT)


def test_budget_lines_up_to_the_limit_are_saved(api, member_a, draft):
    lines = [line(n) for n in range(limits.BUDGET_LINES)]
    response = api(member_a).patch(
        f"/api/v1/proposals/{draft.pk}/", {"budget_lines": lines}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert BudgetLine.objects.filter(proposal=draft).count() == limits.BUDGET_LINES


@pytest.mark.parametrize("count", [limits.BUDGET_LINES + 1, 10_000])
def test_more_budget_lines_than_the_limit_are_refused_quickly(
    api, member_a, draft, count
):
    before = list(
        BudgetLine.objects.filter(proposal=draft).values_list("pk", flat=True)
    )
    started = time.monotonic()
    response = api(member_a).patch(
        f"/api/v1/proposals/{draft.pk}/",
        {"budget_lines": [line(n) for n in range(count)]},
        format="json",
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    assert "At most 200 rows" in str(response.json()["budget_lines"])
    after = list(BudgetLine.objects.filter(proposal=draft).values_list("pk", flat=True))
    assert after == before
    assert elapsed < 20  # was 36 s per save with 10,000 lines


def test_too_many_target_metrics_are_refused(api, member_a, draft):
    metrics = [{"kind": "custom", "name": f"M{n}", "target": 1} for n in range(51)]
    response = api(member_a).patch(
        f"/api/v1/proposals/{draft.pk}/", {"target_metrics": metrics}, format="json"
    )
    assert response.status_code == 400
    assert "target_metrics" in response.json()


@pytest.mark.parametrize(
    ("field", "size"),
    [
        ("description", limits.LONG_TEXT + 1),
        ("summary", limits.SUMMARY + 1),
        ("title", 251),
    ],
)
def test_long_proposal_text_is_a_field_error(api, member_a, draft, field, size):
    response = api(member_a).patch(
        f"/api/v1/proposals/{draft.pk}/", {field: "x" * size}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Proposal.objects.get(pk=draft.pk).description != "x" * size


def test_models_enforce_text_limits_without_any_form(draft):
    """Services call full_clean(): the limit holds for scripts and tasks too."""
    draft.description = "x" * (limits.LONG_TEXT + 1)
    with pytest.raises(ValidationError) as error:
        draft.full_clean()
    assert "description" in error.value.message_dict


def test_grant_report_narrative_limit(api, staff, admin_a, affiliate_a):
    proposal = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.APPROVED)
    proposal_services.proposal_fund(actor=staff, proposal=proposal)
    report = proposal.reports.get(kind=GrantReportKind.FINAL)
    response = api(admin_a).patch(
        f"/api/v1/reports/{report.pk}/",
        {"narrative": "x" * (limits.LONG_TEXT + 1)},
        format="json",
    )
    assert response.status_code == 400
    assert "narrative" in response.json()


def test_the_schema_documents_the_limits(api, db):
    schemas = api().get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    proposal = schemas["PatchedProposalRequest"]["properties"]
    assert proposal["budget_lines"]["maxItems"] == limits.BUDGET_LINES
    assert proposal["target_metrics"]["maxItems"] == limits.TARGET_METRICS
    assert proposal["description"]["maxLength"] == limits.LONG_TEXT
    report = schemas["PatchedGrantReportRequest"]["properties"]
    assert report["narrative"]["maxLength"] == limits.LONG_TEXT
    assert report["spending"]["maxItems"] == limits.SPENDING_LINES
    assert schemas["PatchedReviewRequest"]["properties"]["scores"]["maxItems"] == (
        limits.SCORES
    )
    story = schemas["MyStoryRequest"]["properties"]
    assert story["themes"]["maxItems"] == limits.STORY_THEMES


# Direction controls ------------------------------------------------------------


@pytest.mark.parametrize("control", [RLO, LRI, "\u202a", "\u2069"])
def test_direction_overrides_in_a_title_are_refused(api, member_a, draft, control):
    response = api(member_a).patch(
        f"/api/v1/proposals/{draft.pk}/",
        {"title": f"Budget{control}fdp.exe"},
        format="json",
    )
    assert response.status_code == 400
    assert "direction-control" in str(response.json()["title"])


def test_direction_overrides_in_budget_lines_are_refused(api, member_a, draft):
    bad = {**line(1), "unit": f"day{RLO}"}
    response = api(member_a).patch(
        f"/api/v1/proposals/{draft.pk}/", {"budget_lines": [bad]}, format="json"
    )
    assert response.status_code == 400
    assert "budget_lines" in response.json()


def test_arabic_marks_in_titles_and_controls_in_long_text_are_kept(
    api, member_a, draft
):
    title = f"ورشة تحرير 2026{RLM}"
    description = f"نص طويل {RLO}مع{LRI} علامات"
    response = api(member_a).patch(
        f"/api/v1/proposals/{draft.pk}/",
        {"title": title, "description": description},
        format="json",
    )
    assert response.status_code == 200, response.json()
    draft.refresh_from_db()
    assert (draft.title, draft.description) == (title, description)


def test_names_refuse_direction_overrides_at_the_model(db):
    affiliate = AffiliateFactory.build(name=f"Wiki{RLO}aidemikiW")
    with pytest.raises(ValidationError) as error:
        affiliate.full_clean()
    assert "name" in error.value.message_dict


@pytest.mark.parametrize(
    ("language", "rows", "controls"),
    [
        ("es", "como máximo 200 filas", "Quita los caracteres invisibles"),
        ("ar", "يمكن إرسال 200 صفًا على الأكثر", "احذف محارف التحكم"),
        ("zh-hans", "此处最多可发送 200 行", "请删除不可见的方向控制字符"),
    ],
)
def test_limit_messages_are_translated(api, member_a, draft, language, rows, controls):
    client = api(member_a)
    url = f"/api/v1/proposals/{draft.pk}/"
    too_many = client.patch(
        url,
        {"budget_lines": [line(n) for n in range(201)]},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert rows in str(too_many.json()["budget_lines"])
    override = client.patch(
        url, {"title": f"T{RLO}"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert controls in str(override.json()["title"])
