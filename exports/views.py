"""Pages: exports started from the committee pages (see exports/urls.py).

`exports:proposal_pdf` and `exports:dossier_pdf` answer a PDF rendered now, as the
API does; `exports:packet_start` (POST) queues a round packet and shows its job;
`exports:job` is the job (the partial `exports/pages/jobs/_job.html` to htmx,
which polls it every two seconds until it is ready or failed); `exports:download`
hands the stored file to the person it was built for. Who may:
exports/permissions.py and the grants reader rules, never this module.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from grants import readers as grant_readers
from grants.models import Round

from . import permissions, services
from .api import exports_queryset, pdf_response
from .choices import ExportKind, ExportStatus
from .documents import grants as grant_documents
from .documents.base import supported_language

RUNNING = frozenset(
    {ExportStatus.QUEUED, ExportStatus.RUNNING, ExportStatus.ASSEMBLING}
)


def _language() -> str:
    return supported_language(get_language(), "en")


def _proposal(request, pk: int):
    queryset = grant_readers.proposals_for_reader(
        request.user, grant_documents.proposal_queryset()
    )
    return get_object_or_404(queryset, pk=pk)


@require_GET
def proposal_pdf(request, pk: int):
    """The proposal as the reader may see it (public fields for everyone)."""
    proposal = _proposal(request, pk)
    document = grant_documents.proposal_document(
        request.user, proposal, fallback_language=_language()
    )
    return pdf_response(
        request, kind=ExportKind.PROPOSAL, object_id=proposal.pk, document=document
    )


@login_required
@require_GET
def dossier_pdf(request, pk: int):
    """The confidential committee dossier (staff, and members with access)."""
    proposal = _proposal(request, pk)
    if not permissions.can_export_dossier(request.user, proposal):
        raise PermissionDenied(permissions.DOSSIER_REFUSAL)
    document = grant_documents.dossier_document(request.user, proposal, _language())
    return pdf_response(
        request, kind=ExportKind.DOSSIER, object_id=proposal.pk, document=document
    )


def job_context(user, export) -> dict:
    """What `exports/pages/jobs/_job.html` shows of a job (its progress counted already,
    see `exports_queryset`)."""
    total = getattr(export, "parts_total", 0) or 0
    done = getattr(export, "parts_done", 0) or 0
    return {
        "export": export,
        "running": export.status in RUNNING,
        "done": done,
        "total": total,
        "offers_download": permissions.offers_download(user, export),
    }


def _job_page(request, export, status=200):
    name = "_job.html" if request.htmx else "job.html"
    template = f"exports/pages/jobs/{name}"
    return render(request, template, job_context(request.user, export), status=status)


@login_required
@require_POST
def packet_start(request, pk: int):
    """Queue the round packet (staff and the round's committee)."""
    round_ = get_object_or_404(Round.objects.select_related("program", "rubric"), pk=pk)
    export = services.request_packet(
        actor=request.user, round_=round_, language=_language()
    )
    if request.htmx:
        export = exports_queryset(request.user).get(pk=export.pk)
        return _job_page(request, export, status=202)
    return redirect("exports:job", pk=export.pk)


@login_required
@require_GET
def job(request, pk: int):
    export = get_object_or_404(exports_queryset(request.user), pk=pk)
    return _job_page(request, export)


@login_required
@require_GET
def download(request, pk: int):
    """The stored file, for the person it was built for, checked again now."""
    export = get_object_or_404(exports_queryset(request.user), pk=pk)
    refusal = permissions.download_refusal(request.user, export)
    if refusal:
        raise PermissionDenied(refusal)
    return services.packet_download(actor=request.user, export=export)


urlpatterns = [
    path("proposals/<int:pk>/pdf/", proposal_pdf, name="proposal_pdf"),
    path("proposals/<int:pk>/dossier/", dossier_pdf, name="dossier_pdf"),
    path("rounds/<int:pk>/packet/", packet_start, name="packet_start"),
    path("jobs/<int:pk>/", job, name="job"),
    path("jobs/<int:pk>/download/", download, name="download"),
]
