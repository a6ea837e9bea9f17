"""Round packets: the job, its progress, contents, bookmarks, cache and downloads."""

import pytest
from django.conf import settings

from exports.models import Export, ExportDownload, RenderedPart
from exports.storage import private_storage
from grants.models import Proposal, Recusal
from tests.conftest import client_for

from .conftest import assert_fonts_embedded, build, download


@pytest.fixture
def scored(world, affiliate_b):
    """Three proposals in committee review, each reviewed by two members."""
    second = world.new_proposal(affiliate_b, title="社区编辑马拉松")
    third = world.new_proposal(affiliate_b, title="Вики-экспедиция")
    for proposal, values in [
        (world.proposal, [5, 4, 4]),
        (second, [3, 3, 3]),
        (third, [4, 4, 5]),
    ]:
        world.review(world.reviewers[0], values, proposal=proposal, note="N0")
        world.review(world.reviewers[1], values, proposal=proposal, note="N1")
    return [world.proposal, second, third]


@pytest.mark.django_db
def test_staff_packet_has_contents_ranking_and_a_bookmark_per_dossier(world, scored):
    job = build(world.staff, world.round)
    assert job["status"] == "ready"
    assert job["progress"] == {"done": 3, "total": 3}
    assert job["download_url"].endswith(f"/api/v1/jobs/{job['id']}/download/")
    pdf = download(world.staff, job)
    assert len(pdf.pages) == job["pages"]
    # Tagged for screen readers across the joined parts, every page in the tree.
    assert pdf.tagged
    assert pdf.structure_problems() == []
    # One document of parts: the cover, contents, ranking and each dossier.
    elements = pdf.structure_elements()
    assert elements[0] == "/Document"
    assert elements.count("/Document") == 1
    assert elements.count("/Part") == 3 + len(scored)
    assert "?" not in elements
    outline = pdf.outline()
    assert [title for title, _page in outline[:2]] == ["Cover", "Contents and ranking"]
    dossiers = outline[2:]
    assert len(dossiers) == 3
    for proposal in scored:
        title = f"{proposal.reference} · {proposal.title}"
        page = dict(dossiers)[title]
        # The contents page lists the same page the bookmark opens.
        assert f"{proposal.reference}" in pdf.pages[page - 1]
        assert pdf.has(f"{proposal.title}{page}")
    ranking_page = next(
        number
        for number, text in enumerate(pdf.pages, start=1)
        if "Weighted totals on a scale" in text
    )
    assert pdf.has(f"Ranking{ranking_page}")  # the contents line for the ranking
    # Every page carries the packet's footer and the confidentiality mark.
    total = len(pdf.pages)
    for number, text in enumerate(pdf.pages, start=1):
        assert f"Page {number} of {total}" in text
        assert "CONFIDENTIAL – COMMITTEE USE" in text.upper()
    assert pdf.has("Ranking") and pdf.has("4.50")  # (2×5 + 4 + 4) / 4
    assert pdf.metadata.title.startswith("Round packet")
    assert pdf.language == "en"
    assert_fonts_embedded(pdf)
    assert ExportDownload.objects.get().user == world.staff
    # Stored privately: not under MEDIA_ROOT, and the storage has no URL.
    export = Export.objects.get(pk=job["id"])
    assert (
        not private_storage()
        .path(export.file.name)
        .startswith(str(settings.MEDIA_ROOT))
    )
    with pytest.raises(NotImplementedError):
        private_storage().url(export.file.name)


@pytest.mark.django_db
def test_recused_member_gets_a_packet_without_what_they_are_recused_from(world, scored):
    member = world.reviewers[2]
    world.prepare(member, proposal=scored[0], conflict=True)
    world.prepare(member, proposal=scored[1])
    world.prepare(member, proposal=scored[2])
    job = build(member, world.round)
    assert job["progress"] == {"done": 2, "total": 2}
    pdf = download(member, job)
    titles = [title for title, _page in pdf.outline()[2:]]
    assert titles == [
        f"{p.reference} · {p.title}" for p in (scored[2], scored[1])
    ]  # ranking order
    assert scored[0].reference not in " ".join(titles)
    assert "You are recused from this proposal." in pdf.text
    # Two dossiers with two reviews each: four committee notes, no more.
    assert pdf.text.count("Note to the committee") == 4
    # Somebody else cannot read or download it; staff see the record only.
    other = world.reviewers[3]
    assert client_for(other).get(f"/api/v1/jobs/{job['id']}/").status_code == 404
    staff_view = client_for(world.staff).get(f"/api/v1/jobs/{job['id']}/").json()
    assert staff_view["download_url"] is None
    response = client_for(world.staff).get(f"/api/v1/jobs/{job['id']}/download/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_download_is_refused_once_access_changed(world, scored):
    member = world.reviewers[2]
    for proposal in scored:
        world.prepare(member, proposal=proposal)
    job = build(member, world.round)
    download(member, job)
    Recusal.objects.create(
        proposal=scored[1],
        user=member,
        conflict_type="other",
        explanation="Now working with the applicant",
        recorded_by=world.staff,
    )
    response = client_for(member).get(f"/api/v1/jobs/{job['id']}/download/")
    assert response.status_code == 403
    assert ExportDownload.objects.count() == 1


@pytest.mark.django_db
def test_outsiders_and_applicants_cannot_build_packets(world, scored, admin_a):
    for user in (admin_a, None):
        response = client_for(user).post(f"/api/v1/rounds/{world.round.pk}/packet/")
        assert response.status_code in (401, 403)
    assert not Export.objects.exists()


@pytest.mark.django_db
def test_regenerating_after_one_change_renders_one_dossier(world, scored):
    build(world.staff, world.round)
    # Three dossiers, contents, ranking, and the page-number layer.
    assert RenderedPart.objects.count() == 6
    build(world.staff, world.round)
    assert RenderedPart.objects.count() == 6  # nothing changed: all reused
    # Saved like every write in the portal: an audited save, a new version.
    changed = Proposal.objects.get(pk=scored[1].pk)
    changed.summary = "A new summary."
    changed.save()
    job = build(world.staff, world.round)
    assert RenderedPart.objects.count() == 7  # only the changed dossier
    assert download(world.staff, job).has("A new summary.")


@pytest.mark.django_db
def test_missing_cached_file_is_rendered_again(world, scored):
    build(world.staff, world.round)
    part = RenderedPart.objects.first()
    private_storage().delete(part.file.name)
    job = build(world.staff, world.round)
    assert job["status"] == "ready"
    part.refresh_from_db()
    assert private_storage().exists(part.file.name)


@pytest.mark.django_db
def test_packet_labels_follow_the_reader_language(world, scored):
    response = client_for(world.staff).post(
        f"/api/v1/rounds/{world.round.pk}/packet/", HTTP_ACCEPT_LANGUAGE="ar"
    )
    job = client_for(world.staff).get(f"/api/v1/jobs/{response.json()['id']}/").json()
    pdf = download(world.staff, job)
    assert pdf.language == "ar"
    assert pdf.has("社区编辑马拉松") and pdf.has("Вики-экспедиция")
    assert_fonts_embedded(pdf)
