"""The proposal pages: list, new and copy, the proposal page, the editor, history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from grants.choices import MetricKind, ProposalStatus
from grants.models import BudgetLine, Proposal
from grants.services import proposals as services
from portal.versions import record_version
from tests.factories import ProposalFactory, RoundFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_open(db):
    return RoundFactory()


@pytest.fixture
def draft(affiliate_a, round_open):
    return ProposalFactory(
        affiliate=affiliate_a, round=round_open, title="Village workshops"
    )


def signed_in(client, user):
    client.force_login(user)
    return client


def edit_url(proposal, step):
    return reverse("grants:proposal_edit", args=[proposal.pk, step])


def budget_post(proposal, lines, **extra):
    data = {
        "version": record_version(proposal),
        "currency": proposal.currency,
        "exchange_rate": str(proposal.exchange_rate),
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
    data.update(extra)
    return data


LINE = {
    "activity": "Workshop",
    "category": "travel_events",
    "description": "Room and snacks",
    "unit": "day",
    "quantity": "5",
    "unit_cost": "2000",
}


# The service: proposal_copy ----------------------------------------------------------


def test_proposal_copy_copies_text_budget_and_targets(
    member_a, affiliate_a, round_open
):
    old_round = RoundFactory(
        program=round_open.program,
        opens_on=timezone.localdate() - datetime.timedelta(400),
        closes_on=timezone.localdate() - datetime.timedelta(300),
    )
    source = ProposalFactory(
        affiliate=affiliate_a, round=old_round, status=ProposalStatus.CLOSED
    )
    copy = services.proposal_copy(actor=member_a, source=source)
    assert copy.pk != source.pk
    assert copy.status == ProposalStatus.DRAFT
    assert copy.round == round_open
    assert (copy.title, copy.summary, copy.description) == (
        source.title,
        source.summary,
        source.description,
    )
    assert [(li.activity, li.total) for li in copy.budget_lines.all()] == [
        (li.activity, li.total) for li in source.budget_lines.all()
    ]
    assert copy.amount_requested == source.budget_total()
    assert [m.kind for m in copy.target_metrics.all()] == [MetricKind.PARTICIPANTS]
    record = copy.history.first()
    assert record.history_user == member_a
    assert source.reference in record.history_change_reason


def test_proposal_copy_refused_to_non_members(member_b, draft):
    with pytest.raises(PermissionDenied):
        services.proposal_copy(actor=member_b, source=draft)


def test_proposal_copy_needs_an_open_round(member_a, affiliate_a):
    closed = RoundFactory(
        opens_on=timezone.localdate() - datetime.timedelta(400),
        closes_on=timezone.localdate() - datetime.timedelta(300),
    )
    source = ProposalFactory(affiliate=affiliate_a, round=closed)
    with pytest.raises(ValidationError):
        services.proposal_copy(actor=member_a, source=source)


# List ------------------------------------------------------------------------------


def test_list_shows_my_affiliates_proposals_by_state(
    client, member_a, draft, affiliate_b
):
    other = ProposalFactory(affiliate=affiliate_b, title="Someone else’s")
    page = signed_in(client, member_a).get(reverse("grants:proposals"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Village workshops" in text
    assert other.title not in text
    assert reverse("grants:proposal_new") in text


def test_list_needs_sign_in(client):
    assert client.get(reverse("grants:proposals")).status_code == 302


def test_list_has_no_new_button_for_non_members(client, db):
    from tests.factories import UserFactory

    page = signed_in(client, UserFactory()).get(reverse("grants:proposals"))
    assert reverse("grants:proposal_new") not in page.content.decode()


def test_list_queries_do_not_grow(
    client, member_a, affiliate_a, round_open, django_assert_max_num_queries
):
    ProposalFactory.create_batch(2, affiliate=affiliate_a, round=round_open)
    signed_in(client, member_a)
    url = reverse("grants:proposals")
    client.get(url)
    # 16: the menu asks once whether the person reviews or sits on a committee;
    # the header's notification bell counts the unread once; the proposals are
    # counted per state once (headings, the state filter and the pager).
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    ProposalFactory.create_batch(8, affiliate=affiliate_a, round=round_open)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def rows_in(html: str) -> int:
    return html.count('data-label="Title"')


def test_list_pages_25_proposals_state_by_state(
    client, member_a, affiliate_a, round_open
):
    ProposalFactory.create_batch(
        20, affiliate=affiliate_a, round=round_open, status=ProposalStatus.SUBMITTED
    )
    ProposalFactory.create_batch(10, affiliate=affiliate_a, round=round_open)
    signed_in(client, member_a)
    first = client.get(reverse("grants:proposals")).content.decode()
    assert rows_in(first) == 25
    # Drafts first; the headings count the whole state, not only this page.
    assert first.index('id="group-draft"') < first.index('id="group-submitted"')
    assert '<span class="visually-hidden">(20)</span>' in first
    assert "Page 1 of 2" in first and 'href="?page=2" rel="next"' in first
    second = client.get(reverse("grants:proposals"), {"page": 2}).content.decode()
    assert rows_in(second) == 5
    assert 'id="group-draft"' not in second and 'id="group-submitted"' in second
    assert 'href="?page=1" rel="prev"' in second


def test_list_state_filter_is_kept_by_the_pager(
    client, member_a, affiliate_a, affiliate_b, round_open
):
    ProposalFactory.create_batch(
        30, affiliate=affiliate_a, round=round_open, status=ProposalStatus.SUBMITTED
    )
    ProposalFactory(affiliate=affiliate_a, round=round_open, title="My draft")
    ProposalFactory(affiliate=affiliate_b, round=round_open, title="Their draft")
    signed_in(client, member_a)
    url = reverse("grants:proposals")
    html = client.get(url, {"status": "submitted"}).content.decode()
    assert rows_in(html) == 25 and "My draft" not in html
    assert 'href="?status=submitted&amp;page=2" rel="next"' in html
    assert '<option value="submitted" selected>' in html
    html = client.get(url, {"status": "submitted", "page": 2}).content.decode()
    assert rows_in(html) == 5
    # Only my affiliates' proposals, whatever the filter.
    html = client.get(url, {"status": "draft"}).content.decode()
    assert rows_in(html) == 1 and "My draft" in html and "Their draft" not in html
    # A state none of my proposals is in, or no state at all: every state.
    html = client.get(url, {"status": "funded"}).content.decode()
    assert "My draft" in html and "Page 1 of 2" in html


# New and copy ----------------------------------------------------------------------


def test_new_proposal_happy_path(client, member_a, affiliate_a, round_open):
    signed_in(client, member_a)
    response = client.post(
        reverse("grants:proposal_new"),
        {
            "start": "1",
            "affiliate": affiliate_a.pk,
            "round": round_open.pk,
            "title": "Photo walks",
            "language": "en",
            "currency": "ghs",
            "exchange_rate": "12.5",
            "amount_requested": "12500",
        },
    )
    proposal = Proposal.objects.get(title="Photo walks")
    assert response.status_code == 302
    assert response["Location"] == edit_url(proposal, "basics")
    assert proposal.currency == "GHS"
    assert proposal.history.first().history_user == member_a


def test_new_proposal_out_of_bounds_keeps_input(
    client, member_a, affiliate_a, round_open
):
    signed_in(client, member_a)
    response = client.post(
        reverse("grants:proposal_new"),
        {
            "start": "1",
            "affiliate": affiliate_a.pk,
            "round": round_open.pk,
            "title": "Too big",
            "language": "en",
            "currency": "GHS",
            "exchange_rate": "12.5",
            "amount_requested": "999999",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'value="Too big"' in text
    assert "field--error" in text and "funds between" in text
    assert not Proposal.objects.filter(title="Too big").exists()


def test_new_proposal_for_another_affiliate_is_refused(
    client, member_a, affiliate_b, round_open
):
    signed_in(client, member_a)
    response = client.post(
        reverse("grants:proposal_new"),
        {
            "start": "1",
            "affiliate": affiliate_b.pk,
            "round": round_open.pk,
            "title": "X",
            "language": "en",
            "currency": "GHS",
            "exchange_rate": "12.5",
            "amount_requested": "12500",
        },
    )
    assert response.status_code == 400
    assert not Proposal.objects.filter(title="X").exists()


def test_new_proposal_page_forbidden_without_affiliate(client, db):
    from tests.factories import UserFactory

    assert (
        signed_in(client, UserFactory()).get(reverse("grants:proposal_new")).status_code
        == 403
    )


def test_start_from_an_earlier_proposal(client, member_a, draft):
    signed_in(client, member_a)
    page = client.get(
        reverse("grants:proposal_new") + f"?affiliate={draft.affiliate_id}"
    )
    assert "Start from an earlier proposal" in page.content.decode()
    response = client.post(reverse("grants:proposal_new"), {"from": draft.pk})
    copy = Proposal.objects.exclude(pk=draft.pk).get()
    assert response["Location"] == edit_url(copy, "basics")
    assert copy.budget_lines.count() == 2


def test_copy_of_another_affiliates_proposal_is_404(client, member_b, draft):
    signed_in(client, member_b)
    assert (
        client.post(reverse("grants:proposal_new"), {"from": draft.pk}).status_code
        == 404
    )


# The proposal page -----------------------------------------------------------------


def test_proposal_page_shows_budget_and_submit_for_admin(client, admin_a, draft):
    page = signed_in(client, admin_a).get(reverse("grants:proposal", args=[draft.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Workshops" in text  # a budget line
    assert reverse("grants:proposal_action", args=[draft.pk, "submit"]) in text
    assert "data-confirm" in text


def test_proposal_page_hides_submit_from_plain_member(client, member_a, draft):
    page = signed_in(client, member_a).get(reverse("grants:proposal", args=[draft.pk]))
    assert (
        reverse("grants:proposal_action", args=[draft.pk, "submit"])
        not in page.content.decode()
    )


def test_draft_is_404_for_a_non_member(client, member_b, draft):
    signed_in(client, member_b)
    for url in (
        reverse("grants:proposal", args=[draft.pk]),
        edit_url(draft, "basics"),
        reverse("grants:proposal_history", args=[draft.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("grants:proposal_action", args=[draft.pk, "submit"])
        ).status_code
        == 404
    )


def test_public_reader_sees_no_budget(client, member_b, affiliate_a, round_open):
    funded = ProposalFactory(
        affiliate=affiliate_a, round=round_open, status=ProposalStatus.FUNDED
    )
    page = signed_in(client, member_b).get(reverse("grants:proposal", args=[funded.pk]))
    assert page.status_code == 200
    assert "Coordination" not in page.content.decode()
    assert (
        client.get(reverse("grants:proposal_history", args=[funded.pk])).status_code
        == 403
    )


def test_proposal_page_queries(
    client, admin_a, affiliate_a, round_open, django_assert_max_num_queries
):
    proposal = ProposalFactory(affiliate=affiliate_a, round=round_open)
    signed_in(client, admin_a)
    url = reverse("grants:proposal", args=[proposal.pk])
    client.get(url)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for i in range(8):
        BudgetLine.objects.create(
            proposal=proposal,
            activity=f"Extra {i}",
            category="other",
            unit="u",
            unit_cost=1,
            quantity=1,
            currency=proposal.currency,
            position=5 + i,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_submit_by_admin(client, admin_a, draft):
    signed_in(client, admin_a)
    response = client.post(
        reverse("grants:proposal_action", args=[draft.pk, "submit"]),
        {"version": record_version(draft)},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.SUBMITTED


def test_submit_by_plain_member_is_403(client, member_a, draft):
    signed_in(client, member_a)
    response = client.post(
        reverse("grants:proposal_action", args=[draft.pk, "submit"]),
        {"version": record_version(draft)},
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.DRAFT


def test_incomplete_submit_shows_why(client, admin_a, draft):
    draft.target_metrics.all().delete()
    signed_in(client, admin_a)
    response = client.post(
        reverse("grants:proposal_action", args=[draft.pk, "submit"]),
        {"version": record_version(draft)},
    )
    assert response.status_code == 400
    assert "Set at least one target." in response.content.decode()


def test_withdraw_by_admin(client, admin_a, draft):
    signed_in(client, admin_a)
    response = client.post(
        reverse("grants:proposal_action", args=[draft.pk, "withdraw"]),
        {"version": record_version(draft), "reason": "Plans changed"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ProposalStatus.WITHDRAWN
    assert draft.history.first().history_change_reason == "Plans changed"


# The editor -----------------------------------------------------------------------


def test_every_step_renders(client, member_a, draft):
    signed_in(client, member_a)
    for step in ("basics", "plan", "budget", "targets", "review"):
        assert client.get(edit_url(draft, step)).status_code == 200, step


def test_basics_saves_through_the_service(client, member_a, draft):
    signed_in(client, member_a)
    response = client.post(
        edit_url(draft, "basics"),
        {
            "version": record_version(draft),
            "title": "Village workshops, second year",
            "summary": "More towns.",
            "language": "es",
            "start_date": draft.start_date.isoformat(),
            "end_date": draft.end_date.isoformat(),
            "go": "next",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == edit_url(draft, "plan")
    draft.refresh_from_db()
    assert draft.title == "Village workshops, second year"
    assert draft.language == "es"
    assert draft.history.first().history_user == member_a


def test_basics_bad_input_keeps_everything(client, member_a, draft):
    signed_in(client, member_a)
    response = client.post(
        edit_url(draft, "basics"),
        {
            "version": record_version(draft),
            "title": "Kept title",
            "summary": "Kept summary",
            "language": "en",
            "start_date": "2027-05-01",
            "end_date": "2027-01-01",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Kept summary" in text and 'value="Kept title"' in text
    assert "The end date must be on or after the start date." in text
    draft.refresh_from_db()
    assert draft.title == "Village workshops"


def test_basics_error_in_spanish(client, member_a, draft):
    signed_in(client, member_a)
    response = client.post(
        "/es" + edit_url(draft, "basics"),
        {"version": record_version(draft), "title": "", "language": "en"},
    )
    assert response.status_code == 400
    assert "Este campo es necesario." in response.content.decode()


def test_stale_version_answers_412_and_keeps_input(client, member_a, draft):
    signed_in(client, member_a)
    old = record_version(draft)
    services.proposal_update(
        actor=member_a, proposal=draft, summary="Changed elsewhere"
    )
    response = client.post(
        edit_url(draft, "plan"), {"version": old, "description": "My long plan text"}
    )
    assert response.status_code == 412
    text = response.content.decode()
    assert "My long plan text" in text
    assert record_version(draft) in text  # saving again goes through
    draft.refresh_from_db()
    assert draft.description != "My long plan text"


def test_editing_is_403_for_a_submitted_proposal(client, member_a, draft):
    draft.status = ProposalStatus.SUBMITTED
    draft.save()
    signed_in(client, member_a)
    assert client.get(edit_url(draft, "basics")).status_code == 403
    page = client.get(reverse("grants:proposal", args=[draft.pk]))
    assert edit_url(draft, "basics") not in page.content.decode()


def test_unknown_step_is_404(client, member_a, draft):
    assert signed_in(client, member_a).get(edit_url(draft, "nope")).status_code == 404


def test_budget_replaces_lines_and_sets_the_amount(client, member_a, draft):
    signed_in(client, member_a)
    lines = [LINE, {**LINE, "activity": "Prizes", "quantity": "1", "unit_cost": "2500"}]
    response = client.post(
        edit_url(draft, "budget"), budget_post(draft, lines, go="next")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert [li.activity for li in draft.budget_lines.all()] == ["Workshop", "Prizes"]
    assert draft.amount_requested == Decimal("12500.00")


def test_budget_out_of_bounds_keeps_rows(client, member_a, draft):
    signed_in(client, member_a)
    lines = [{**LINE, "quantity": "1000"}]
    response = client.post(edit_url(draft, "budget"), budget_post(draft, lines))
    assert response.status_code == 400
    text = response.content.decode()
    assert "funds between" in text
    assert 'value="1000"' in text
    assert draft.budget_lines.count() == 2


def test_budget_bad_line_shows_error_next_to_it(client, member_a, draft):
    signed_in(client, member_a)
    lines = [{**LINE, "unit_cost": "-4"}]
    response = client.post(edit_url(draft, "budget"), budget_post(draft, lines))
    assert response.status_code == 400
    assert "greater than or equal to 0" in response.content.decode()


def test_budget_reorder_and_add_without_javascript(client, member_a, draft):
    signed_in(client, member_a)
    lines = [LINE, {**LINE, "activity": "Second"}]
    response = client.post(
        edit_url(draft, "budget"), budget_post(draft, lines, row_action="up-1")
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index('value="Second"') < text.index('value="Workshop"')
    response = client.post(
        edit_url(draft, "budget"), budget_post(draft, lines, row_action="add")
    )
    assert 'name="lines-TOTAL_FORMS" value="3"' in response.content.decode()
    response = client.post(
        edit_url(draft, "budget"), budget_post(draft, lines, row_action="remove-0")
    )
    assert 'value="Workshop"' not in response.content.decode()
    assert draft.budget_lines.count() == 2  # nothing saved by moving rows


def test_targets_save(client, member_a, draft):
    signed_in(client, member_a)
    data = {
        "version": record_version(draft),
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-0-kind": "new_users",
        "targets-0-target": "40",
        "targets-1-kind": "custom",
        "targets-1-name": "Photos uploaded",
        "targets-1-target": "300",
    }
    response = client.post(edit_url(draft, "targets"), data)
    assert response.status_code == 302
    assert sorted(draft.target_metrics.values_list("kind", "target")) == [
        ("custom", 300),
        ("new_users", 40),
    ]


def test_custom_target_needs_a_name(client, member_a, draft):
    signed_in(client, member_a)
    data = {
        "version": record_version(draft),
        "targets-TOTAL_FORMS": "1",
        "targets-INITIAL_FORMS": "0",
        "targets-0-kind": "custom",
        "targets-0-target": "3",
    }
    response = client.post(edit_url(draft, "targets"), data)
    assert response.status_code == 400
    assert "Name your own metric." in response.content.decode()


def test_autosave_saves_and_answers_status(client, member_a, draft):
    signed_in(client, member_a)
    response = client.post(
        reverse("grants:proposal_autosave", args=[draft.pk, "plan"]),
        {"version": record_version(draft), "description": "Typed so far"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Saved at" in text
    draft.refresh_from_db()
    assert draft.description == "Typed so far"
    assert record_version(draft) in text  # the page's version field is updated


def test_autosave_stale_does_not_overwrite(client, member_a, draft):
    signed_in(client, member_a)
    old = record_version(draft)
    services.proposal_update(actor=member_a, proposal=draft, description="Theirs")
    response = client.post(
        reverse("grants:proposal_autosave", args=[draft.pk, "plan"]),
        {"version": old, "description": "Mine"},
    )
    assert "Not saved" in response.content.decode()
    draft.refresh_from_db()
    assert draft.description == "Theirs"


def test_autosave_is_404_for_non_members(client, member_b, draft):
    signed_in(client, member_b)
    response = client.post(
        reverse("grants:proposal_autosave", args=[draft.pk, "plan"]),
        {"version": record_version(draft), "description": "x"},
    )
    assert response.status_code == 404


def test_review_lists_change_links_and_submit_for_admin(
    client, admin_a, member_a, draft
):
    text = signed_in(client, admin_a).get(edit_url(draft, "review")).content.decode()
    for step in ("basics", "plan", "budget", "targets"):
        assert edit_url(draft, step) in text
    assert reverse("grants:proposal_action", args=[draft.pk, "submit"]) in text
    text = signed_in(client, member_a).get(edit_url(draft, "review")).content.decode()
    assert reverse("grants:proposal_action", args=[draft.pk, "submit"]) not in text


# History --------------------------------------------------------------------------


def test_history_shows_who_what_and_why(client, member_a, draft):
    # A surname no word of the page contains (the factory's random one was once
    # "Lang", which "Language" in the header contains).
    member_a.last_name = "Quarshie-Vandersloot"
    member_a.save(update_fields=["last_name"])
    member_a.profile.public_name = "Ama the editor"
    member_a.profile.save()
    services.proposal_update(
        actor=member_a, proposal=draft, summary="New summary", reason="Board asked"
    )
    page = signed_in(client, member_a).get(
        reverse("grants:proposal_history", args=[draft.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Ama the editor" in text
    assert "Board asked" in text and "New summary" in text
    assert member_a.email not in text and member_a.last_name not in text


def test_pending_member_is_treated_like_anybody(client, pending_a, draft):
    signed_in(client, pending_a)
    assert client.get(reverse("grants:proposal", args=[draft.pk])).status_code == 404
    assert client.get(reverse("grants:proposal_new")).status_code == 403


def test_history_readable_by_plain_member_not_by_other_affiliate(
    client, member_a, member_b, draft
):
    url = reverse("grants:proposal_history", args=[draft.pk])
    assert signed_in(client, member_a).get(url).status_code == 200
    assert signed_in(client, member_b).get(url).status_code == 404


def test_budget_autosave_returns_ids_of_new_rows(client, member_a, draft):
    signed_in(client, member_a)
    response = client.post(
        reverse("grants:proposal_autosave", args=[draft.pk, "budget"]),
        budget_post(draft, [LINE, {**LINE, "activity": "Prizes"}]),
    )
    text = response.content.decode()
    assert "Saved at" in text
    ids = list(draft.budget_lines.values_list("pk", flat=True))
    assert len(ids) == 2
    for index, row_id in enumerate(ids):
        assert (
            f'name="lines-{index}-id" id="id_lines-{index}-id" value="{row_id}"' in text
        )


@pytest.mark.django_db
def test_applicant_reads_the_decision_without_the_votes(admin_a, affiliate_a, staff):
    from grants.models import Decision, Vote

    proposal = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.APPROVED)
    decision = Decision.objects.create(
        proposal=proposal,
        outcome="approved",
        rationale="A clear plan with partners in three towns.",
        decided_by=staff,
    )
    member = UserFactory(username="voting-member")
    Vote.objects.create(decision=decision, member=member, choice="for")
    client = Client()
    client.force_login(admin_a)
    body = client.get(f"/grants/proposals/{proposal.pk}/").content.decode()
    assert "A clear plan with partners in three towns." in body
    assert 'id="decision"' in body
    assert "voting-member" not in body  # the votes are the committee's


@pytest.mark.django_db
def test_no_decision_panel_for_the_public(outsider, affiliate_a, staff):
    from grants.models import Decision

    proposal = ProposalFactory(affiliate=affiliate_a, status=ProposalStatus.FUNDED)
    Decision.objects.create(
        proposal=proposal, outcome="approved", rationale="RATIONALE", decided_by=staff
    )
    client = Client()
    client.force_login(outsider)
    response = client.get(f"/grants/proposals/{proposal.pk}/")
    assert "RATIONALE" not in response.content.decode()
