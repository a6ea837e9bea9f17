"""What the exports keep private: who is recused in blind rounds, text staff have
hidden since a packet was built, the addresses of other affiliates' drafts; and a
round with nothing to rank is refused before a job starts."""

import re

import pytest

from exports.models import Export
from grants.models import ProposalComment
from tests.conftest import client_for
from tests.factories import MembershipFactory

from .conftest import build, download, get_pdf


@pytest.mark.django_db
def test_blind_dossier_member_table_does_not_reveal_who_is_recused(world, affiliate_a):
    """In a blind round committee readers get counts of declarations and recusals,
    not a row per seat: a row per seat, lined up with the committee list, would
    name the member recused for belonging to the applicant, and so the applicant.
    Staff read the full table."""
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
    assert not pdf.has(insider.username)
    assert pdf.has("4 active committee members: 1 declared no conflict")
    assert pdf.has("1 recused")
    # Staff still read the full table.
    staff_pdf = get_pdf(
        world.staff, f"/api/v1/proposals/{world.proposal.pk}/dossier-pdf/"
    )
    assert staff_pdf.has(insider.username)  # by public name (the username here)


@pytest.mark.django_db
def test_packet_download_refused_after_a_comment_in_it_was_hidden(world, outsider):
    """A stored packet is checked at each download against what its reader may see
    now: once staff hide a comment it shows, the file is refused (build a new one)."""
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
    # ... and the stored packet is refused.
    response = client_for(member).get(f"/api/v1/jobs/{job['id']}/download/")
    assert response.status_code == 403
    assert "changed since it was built" in response.json()["detail"]


@pytest.mark.django_db
def test_a_packet_for_a_round_without_rubric_is_refused_at_once(world):
    """With no rubric there is no ranking to put in a packet: the request answers
    400 and no job is started."""
    world.round.rubric = None
    world.round.save()
    response = client_for(world.staff).post(f"/api/v1/rounds/{world.round.pk}/packet/")
    assert response.status_code == 400
    assert not Export.objects.exists()


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
    """A link to a page (`<a linktype="page" id=N>`) in a member's story keeps its
    text but not the page's address in the PDF: expanding it would tell them the
    address (and so the title) of another affiliate's draft."""
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
