"""Rebuilding a packet: dossiers whose inputs did not change (by version) are reused
without being built again; anything the reader would see changes their key."""

import pytest

from accounts.services import profile_for
from exports import packets
from exports.choices import ExportStatus, PartStatus
from exports.documents.grants import dossier_input_keys
from exports.models import ExportPart, RenderedPart
from grants.models import Proposal, ProposalComment, Recusal, Score
from grants.services import comments as comment_services
from tests.conftest import client_for
from tests.factories import UserFactory

from .conftest import build, download, packet_job

TEMPLATE = packets.DOSSIER_TEMPLATE


@pytest.fixture
def scored(world, affiliate_b):
    """Three proposals in committee review, each reviewed by two members; the
    third reviewer has declared no conflict on any of them (so reads them all)."""
    second = world.new_proposal(affiliate_b, title="Second proposal")
    third = world.new_proposal(affiliate_b, title="Third proposal")
    proposals = [world.proposal, second, third]
    for proposal in proposals:
        world.review(world.reviewers[0], [5, 4, 4], proposal=proposal, note="N0")
        world.review(world.reviewers[1], [3, 4, 5], proposal=proposal, note="N1")
        world.prepare(world.reviewers[2], proposal=proposal)
    return proposals


@pytest.fixture
def built(monkeypatch):
    """Which proposals' dossier content was built (`dossier_context` calls)."""
    calls = []
    original = packets.dossier_context

    def counting(user, proposal, *args, **kwargs):
        calls.append(proposal.pk)
        return original(user, proposal, *args, **kwargs)

    monkeypatch.setattr(packets, "dossier_context", counting)
    return calls


def keys(user, proposals, language="en"):
    ids = [p.pk for p in proposals]
    return dossier_input_keys(
        user, Proposal.objects.filter(pk__in=ids), language, TEMPLATE
    )


@pytest.mark.django_db
def test_rebuild_builds_and_renders_only_the_changed_dossier(world, scored, built):
    build(world.staff, world.round)
    assert sorted(built) == sorted(p.pk for p in scored)
    rendered = RenderedPart.objects.count()

    built.clear()
    job = build(world.staff, world.round)
    assert built == []  # nothing changed: no dossier built, none rendered
    assert RenderedPart.objects.count() == rendered
    assert job["status"] == "ready"

    changed = Proposal.objects.get(pk=scored[1].pk)
    changed.summary = "A new summary."
    changed.save()
    job = build(world.staff, world.round)
    assert built == [changed.pk]
    assert RenderedPart.objects.count() == rendered + 1
    pdf = download(world.staff, job)
    assert pdf.has("A new summary.")
    # The reused dossiers are the same files as before, in the same places.
    parts = ExportPart.objects.filter(export_id=job["id"]).order_by("position")
    assert len({p.rendered_id for p in parts}) == 3
    assert all(p.inputs_key for p in parts)
    outline = pdf.outline()
    assert [title for title, _page in outline[:2]] == ["Cover", "Contents and ranking"]
    total = len(pdf.pages)
    for number, text in enumerate(pdf.pages, start=1):
        assert f"Page {number} of {total}" in text


@pytest.mark.django_db
def test_keys_are_per_reader_and_language_and_stable(world, scored):
    member = world.reviewers[2]
    assert keys(world.staff, scored) == keys(world.staff, scored)
    staff_keys, member_keys = keys(world.staff, scored), keys(member, scored)
    assert set(staff_keys.values()).isdisjoint(member_keys.values())
    assert set(keys(member, scored, "fr").values()).isdisjoint(member_keys.values())
    assert len(set(staff_keys.values())) == 3


def _hide_comment(world, scored):
    comment = ProposalComment.objects.get(proposal=scored[0])
    comment_services.comment_hide(actor=world.staff, comment=comment, reason="Abuse")


def _blind_round(world, scored):
    world.round.hide_reviewer_identities = True
    world.round.save()


def recuse(world, user, proposal):
    Recusal.objects.create(
        proposal=proposal,
        user=user,
        conflict_type="other",
        explanation="Works with the applicant",
        recorded_by=world.staff,
    )


def _recuse(world, scored):
    recuse(world, world.reviewers[3], scored[0])


def _change_score(world, scored):
    score = Score.objects.filter(review__proposal=scored[0]).first()
    score.value = 1
    score.save()


def _rename_reviewer(world, scored):
    profile = profile_for(world.reviewers[0])
    profile.public_name = "Dr. Renamed"
    profile.save()


def _change_username(world, scored):
    # User names have no history: read as they are.
    world.reviewers[1].username = "someone-else"
    world.reviewers[1].save()


def _delete_budget_line(world, scored):
    scored[0].budget_lines.first().delete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        _hide_comment,
        _blind_round,
        _recuse,
        _change_score,
        _rename_reviewer,
        _change_username,
        _delete_budget_line,
    ],
)
def test_what_the_reader_would_see_changes_the_key(world, scored, change):
    ProposalComment.objects.create(
        proposal=scored[0], author=UserFactory(), body="A frank opinion."
    )
    member = world.reviewers[2]
    before = keys(member, scored), keys(world.staff, scored)
    change(world, scored)
    after = keys(member, scored), keys(world.staff, scored)
    for old, new in zip(before, after, strict=True):
        assert old[scored[0].pk] != new[scored[0].pk]


@pytest.mark.django_db
def test_a_change_to_one_proposal_keeps_the_others_keys(world, scored):
    before = keys(world.staff, scored)
    changed = Proposal.objects.get(pk=scored[1].pk)
    changed.title = "Renamed"
    changed.save()
    after = keys(world.staff, scored)
    assert before[scored[1].pk] != after[scored[1].pk]
    assert before[scored[0].pk] == after[scored[0].pk]
    assert before[scored[2].pk] == after[scored[2].pk]


@pytest.mark.django_db
def test_reader_losing_staff_changes_the_key(world, scored):
    before = keys(world.staff, scored)
    world.staff.is_staff = False
    world.staff.save()
    after = keys(world.staff, scored)
    assert set(before.values()).isdisjoint(after.values())


@pytest.mark.django_db
def test_download_refused_once_a_comment_in_it_is_hidden(world, scored):
    comment = ProposalComment.objects.create(
        proposal=scored[0], author=UserFactory(), body="A frank opinion."
    )
    member = world.reviewers[2]
    job = build(member, world.round)
    assert download(member, job).has("A frank opinion.")
    comment_services.comment_hide(actor=world.staff, comment=comment, reason="Abuse")
    response = client_for(member).get(f"/api/v1/jobs/{job['id']}/download/")
    assert response.status_code == 403
    # The rebuild builds that dossier again, without the hidden text.
    job = build(member, world.round)
    assert not download(member, job).has("A frank opinion.")


@pytest.mark.django_db
def test_a_save_that_changes_nothing_shown_keeps_the_download(world, scored, built):
    member = world.reviewers[2]
    job = build(member, world.round)
    proposal = Proposal.objects.get(pk=scored[0].pk)
    proposal.save()  # a new version, the same content
    built.clear()
    download(member, job)  # still current: compared by content
    assert built == [scored[0].pk]


@pytest.mark.django_db
def test_the_ranking_is_rendered_beside_the_dossiers_once(world, scored, monkeypatch):
    rendered = []
    original = packets.render_template

    def counting(template, *args, **kwargs):
        rendered.append(template)
        return original(template, *args, **kwargs)

    monkeypatch.setattr(packets, "render_template", counting)
    job = build(world.staff, world.round)
    # Its own task renders it before the dossiers; the assembly finds it ready.
    assert rendered.count(packets.RANKING_TEMPLATE) == 1
    assert rendered.index(packets.RANKING_TEMPLATE) < rendered.index(TEMPLATE)
    pdf = download(world.staff, job)
    outline = pdf.outline()
    assert [title for title, _page in outline[:2]] == ["Cover", "Contents and ranking"]
    ranking_page = next(
        number
        for number, text in enumerate(pdf.pages, start=1)
        if "Weighted totals on a scale" in text
    )
    assert pdf.has(f"Ranking{ranking_page}")


@pytest.mark.django_db
def test_the_packet_is_built_when_the_ranking_task_fails(world, scored, monkeypatch):
    def broken(export_id):
        raise RuntimeError("worker trouble")

    monkeypatch.setattr(packets, "render_front", broken)
    job = build(world.staff, world.round)
    assert job["status"] == "ready"
    assert download(world.staff, job).has("Weighted totals on a scale")


@pytest.mark.django_db
def test_a_rebuild_queues_a_task_only_for_the_changed_dossier(
    world, scored, monkeypatch
):
    build(world.staff, world.round)
    rendered = []
    original = packets.render_part

    def counting(part_id):
        rendered.append(ExportPart.objects.get(pk=part_id).proposal_id)
        return original(part_id)

    monkeypatch.setattr(packets, "render_part", counting)
    job = build(world.staff, world.round)
    assert job["status"] == "ready" and rendered == []  # all done when planned
    assert download(world.staff, job).has("Weighted totals on a scale")

    changed = Proposal.objects.get(pk=scored[2].pk)
    changed.summary = "Only this one changed."
    changed.save()
    job = build(world.staff, world.round)
    assert rendered == [changed.pk]
    assert download(world.staff, job).has("Only this one changed.")


@pytest.mark.django_db
def test_a_dossier_the_reader_lost_access_to_before_the_assembly_is_withheld(
    world, scored
):
    member = world.reviewers[2]
    build(member, world.round)  # every dossier rendered once
    export = packet_job(world, member)
    assert packets.plan(export.pk) == []  # all reused: straight to the assembly
    recuse(world, member, scored[0])  # while the job waits in the queue
    assert packets.claim_assembly(export.pk)
    packets.assemble_job(export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    part = export.parts.get(proposal=scored[0])
    assert part.status == PartStatus.WITHHELD
    assert scored[0].pk in {row["proposal"] for row in export.withheld}
    pdf = download(member, {"id": export.pk})
    bookmarks = [title for title, _page in pdf.outline()]
    assert not any(scored[0].reference in title for title in bookmarks)
    assert any(scored[1].reference in title for title in bookmarks)


@pytest.mark.django_db
def test_an_earlier_dossier_is_not_reused_for_a_reader_recused_since(world, scored):
    member = world.reviewers[2]
    build(member, world.round)
    earlier = keys(member, scored)
    assert set(packets.reusable_dossiers(member, earlier)) == {p.pk for p in scored}
    recuse(world, member, scored[0])
    assert set(packets.reusable_dossiers(member, earlier)) == {
        scored[1].pk,
        scored[2].pk,
    }
