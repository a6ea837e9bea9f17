"""Export pages: proposal PDF, committee dossier, the round packet job with its
progress and download (exports/views.py)."""

import pytest
from django.urls import reverse

from exports.choices import ExportKind, ExportStatus, PartStatus
from exports.models import Export, ExportPart
from tests.exports.conftest import ReadPDF, packet_job
from tests.grants.test_pages_committee import NOTE, people  # noqa: F401 - fixture


def pdf_url(proposal):
    return reverse("exports:proposal_pdf", args=[proposal.pk])


def dossier_url(proposal):
    return reverse("exports:dossier_pdf", args=[proposal.pk])


def packet_url(world):
    return reverse("exports:packet_start", args=[world.round.pk])


def ranking_url(world):
    return reverse("grants:committee_round", args=[world.round.pk])


@pytest.mark.parametrize(
    "who, proposal_pdf, dossier",
    [
        ("member", 200, 200),
        ("staff", 200, 200),
        ("non_voting", 200, 200),
        ("recused", 200, 403),
        ("reviewer", 200, 403),
        ("outsider", 200, 403),
        ("admin", 200, 403),
    ],
)
def test_pdfs_for_each_role(client, world, people, who, proposal_pdf, dossier):  # noqa: F811
    client.force_login(people[who])
    response = client.get(pdf_url(world.proposal))
    assert response.status_code == proposal_pdf
    assert response["Content-Type"] == "application/pdf"
    assert client.get(dossier_url(world.proposal)).status_code == dossier


def test_visitor_gets_no_pdf_of_a_proposal_under_review(client, world, people):  # noqa: F811
    assert client.get(pdf_url(world.proposal)).status_code == 404
    response = client.get(dossier_url(world.proposal))
    assert response.status_code == 302
    assert client.post(packet_url(world)).status_code == 302


@pytest.mark.parametrize("who", ["reviewer", "outsider", "admin"])
def test_packet_refused_without_a_seat(client, world, people, who):  # noqa: F811
    client.force_login(people[who])
    response = client.post(packet_url(world))
    assert response.status_code == 403
    assert not Export.objects.filter(kind=ExportKind.PACKET).exists()


def test_ranking_page_offers_the_packet_to_the_committee(client, world, people):  # noqa: F811
    client.force_login(people["member"])
    body = client.get(ranking_url(world)).content.decode()
    assert "Build the round packet" in body
    assert f'action="{packet_url(world)}"' in body


def test_member_builds_the_packet_and_downloads_it(client, world, people):  # noqa: F811
    client.force_login(people["member"])
    response = client.post(packet_url(world))
    export = Export.objects.get(kind=ExportKind.PACKET)
    job_url = reverse("exports:job", args=[export.pk])
    assert response.status_code == 302
    assert response["Location"] == job_url
    # Tasks run at once in tests: the job is done already.
    body = client.get(job_url).content.decode()
    assert 'data-status="ready"' in body
    assert "every 2s" not in body
    download = reverse("exports:download", args=[export.pk])
    assert download in body
    # The ranking page shows the latest job too.
    assert download in client.get(ranking_url(world)).content.decode()
    response = client.get(download)
    assert response.status_code == 200
    pdf = ReadPDF(b"".join(response.streaming_content))
    assert pdf.has(world.proposal.title)
    assert pdf.has(NOTE)
    # Only its builder downloads it; others do not even see the job.
    client.force_login(people["second"])
    assert client.get(job_url).status_code == 404
    assert client.get(download).status_code == 404


def test_recused_member_packet_holds_nothing_of_that_proposal(
    client,
    world,
    people,  # noqa: F811
):
    client.force_login(people["recused"])
    response = client.post(packet_url(world), HTTP_HX_REQUEST="true")
    assert response.status_code == 202
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="packet-job"')
    assert "1 proposal is left out (withheld from you)." in body
    export = Export.objects.get(kind=ExportKind.PACKET)
    response = client.get(reverse("exports:download", args=[export.pk]))
    pdf = ReadPDF(b"".join(response.streaming_content))
    assert not pdf.has(NOTE)
    assert not pdf.has("Thanks for the clear budget.")
    assert not pdf.has("3.50")
    # The ranking page says recused, and shows none of the numbers either.
    body = client.get(ranking_url(world)).content.decode()
    assert "Recused" in body
    assert NOTE not in body and "3.50" not in body


def running_job(user, world, *, done: int, total: int, status=ExportStatus.RUNNING):
    export = packet_job(world, user, status=status)
    proposals = [world.proposal] + [
        world.new_proposal(world.proposal.affiliate) for _i in range(total - 1)
    ]
    for i, proposal in enumerate(proposals):
        ExportPart.objects.create(
            export=export,
            proposal=proposal,
            position=i,
            status=PartStatus.DONE if i < done else PartStatus.PENDING,
        )
    return export


def test_job_in_progress_polls_and_shows_progress(client, world, people):  # noqa: F811
    export = running_job(people["member"], world, done=1, total=3)
    client.force_login(people["member"])
    url = reverse("exports:job", args=[export.pk])
    body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert body.lstrip().startswith('<div id="packet-job"')
    assert 'hx-trigger="every 2s"' in body
    assert f'hx-get="{url}"' in body
    assert 'max="3" value="1"' in body
    assert "Dossiers rendered: 1 of 3" in body
    assert "Download the packet" not in body


def test_failed_job_shows_why_and_stops_polling(client, world, people):  # noqa: F811
    export = running_job(
        people["member"], world, done=0, total=1, status=ExportStatus.FAILED
    )
    export.error = "Building the packet failed; staff can see why in the logs."
    export.save()
    client.force_login(people["member"])
    url = reverse("exports:job", args=[export.pk])
    body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in body
    assert "Building the packet failed; staff can see why in the logs." in body
    download = client.get(reverse("exports:download", args=[export.pk]))
    assert download.status_code == 403
