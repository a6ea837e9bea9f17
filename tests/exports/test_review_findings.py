"""Defects found in review of the PDF exports, each kept as a regression test."""

import re

import pytest

from exports.models import Export
from grants.models import ProposalComment
from tests.conftest import client_for
from tests.factories import MembershipFactory

from .conftest import build, download, get_pdf, read_pdf

# 1. Blind rounds: the dossier's member table de-anonymises who is recused --------


@pytest.mark.django_db
def test_blind_dossier_member_table_does_not_reveal_who_is_recused(world, affiliate_a):
    """In a blind round the API never names recused members (recusal record has no
    `user`), yet the dossier lists every seat as "Member N" in seat order with its
    declaration and recusal; the committee-members API lists the same seats, named,
    in the same order. Together they name the member recused for belonging to the
    applicant, and so the hidden applicant."""
    world.round.hide_applicant_identity = True
    world.round.hide_reviewer_identities = True
    world.round.save()
    reader = world.reviewers[0]
    world.prepare(reader)  # declared no conflict: may read the dossier
    insider = world.reviewers[2]
    MembershipFactory(user=insider, affiliate=affiliate_a)  # automatic recusal

    # What the API tells the reader: a recusal, without a name.
    recusals = client_for(reader).get(
        f"/api/v1/proposals/{world.proposal.pk}/recusals/"
    )
    assert recusals.status_code == 200
    assert recusals.json() and all("user" not in row for row in recusals.json())
    seats = client_for(reader).get(
        "/api/v1/committee-members/", {"committee": world.committee.pk}
    )
    assert seats.status_code == 200
    rows = seats.json()["results"] if "results" in seats.json() else seats.json()
    position = [row["member"]["id"] for row in rows].index(insider.pk) + 1

    assert position  # the committee list names every seat, in order
    pdf = get_pdf(reader, f"/api/v1/proposals/{world.proposal.pk}/dossier-pdf/")
    # No row per seat to line up with that list: counts only.
    assert not re.search(r"Member \d", pdf.text)
    assert insider.get_full_name() not in pdf.text
    assert pdf.has("4 active committee members: 1 declared no conflict")
    assert pdf.has("1 recused")
    # Staff still read the full table.
    staff_pdf = get_pdf(
        world.staff, f"/api/v1/proposals/{world.proposal.pk}/dossier-pdf/"
    )
    assert staff_pdf.has(insider.get_full_name())


# 2. A packet stays downloadable with comments staff have since hidden ---------------


@pytest.mark.django_db
def test_packet_download_refused_after_a_comment_in_it_was_hidden(world, outsider):
    """A stored packet is re-checked at each download for access to each proposal,
    not for what the reader may now see in it: a doxxing comment staff hid after the
    build is still served, in full, from the stored file."""
    from grants.services import comments as comment_services

    member = world.reviewers[0]
    world.prepare(member)
    comment = ProposalComment.objects.create(
        proposal=world.proposal,
        author=outsider,
        body="DOXX: her home address is 12 Example Street",
    )
    job = build(member, world.round)
    assert download(member, job).has("DOXX")
    comment_services.comment_hide(actor=world.staff, comment=comment, reason="Abuse")
    comment.refresh_from_db()
    assert comment.is_hidden
    # The JSON API and a fresh dossier no longer show it ...
    fresh = get_pdf(member, f"/api/v1/proposals/{world.proposal.pk}/dossier-pdf/")
    assert not fresh.has("DOXX")
    # ... the stored packet must not either.
    response = client_for(member).get(f"/api/v1/jobs/{job['id']}/download/")
    if response.status_code == 200:
        assert not read_pdf(b"".join(response.streaming_content)).has("DOXX")
    else:
        assert response.status_code == 403


# 3. A round without a rubric: the packet job fails --------------------------------


@pytest.mark.django_db
def test_packet_for_a_round_without_rubric(world):
    """Dossiers support rounds without a rubric ("This round has no rubric."), and
    the API accepts the packet request (202), but the job always fails."""
    world.round.rubric = None
    world.round.save()
    world.rubric.delete()  # the programme has no rubric either
    response = client_for(world.staff).post(f"/api/v1/rounds/{world.round.pk}/packet/")
    if response.status_code == 202:
        job = (
            client_for(world.staff).get(f"/api/v1/jobs/{response.json()['id']}/").json()
        )
        assert job["status"] == "ready", job
    else:
        assert response.status_code in (400, 404, 409)
        assert not Export.objects.exists()


# 4. A member's own draft story PDF names other affiliates' unpublished stories ------


def _link_targets(pdf) -> list[str]:
    uris = []
    for page in pdf.reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                uris.append(str(action["/URI"]))
    return uris


@pytest.mark.django_db
def test_draft_story_pdf_does_not_expand_links_to_others_unpublished_pages(
    member_a, affiliate_a, affiliate_b
):
    """Rich text is stored as sent; the PDF expands `<a linktype="page" id=N>` for
    any page id with no check, so a member learns the URL (slug = title) of another
    affiliate's draft, which neither the stories API nor my-stories shows them."""
    from cms.site import setup_site
    from tests.cms.test_stories import make_story

    indexes = setup_site()
    secret = make_story(
        indexes["en"],
        affiliate_b,
        title="Unpublished",
        slug="safe-house-meeting-in-tamale",
        publish=False,
    )
    client = client_for(member_a)
    assert client.get(f"/api/v1/stories/{secret.pk}/").status_code == 404
    assert client.get(f"/api/v1/my-stories/{secret.pk}/").status_code == 404
    body = [
        {
            "type": "paragraph",
            "value": f'<p><a linktype="page" id="{secret.pk}">see</a></p>',
        }
    ]
    response = client.post(
        "/api/v1/my-stories/",
        {
            "title": "Our story",
            "locale": "en",
            "affiliate": affiliate_a.pk,
            "summary": "A summary.",
            "region": "ssa",
            "date": "2026-05-01",
            "original_language": "en",
            "body": body,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pdf = get_pdf(member_a, f"/api/v1/my-stories/{response.json()['id']}/pdf/")
    assert not any("safe-house-meeting" in uri for uri in _link_targets(pdf)), (
        _link_targets(pdf)
    )
