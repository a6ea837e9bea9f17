"""The PDF endpoints and the record of exports (`/api/v1/jobs/`).

The exports app registers its own routes beside the resources they export (the
proposal, report, affiliate, story and round resources of the other apps), so that
those apps never depend on this one. Each endpoint loads its object through the
owning app's visibility rules, asks exports/permissions.py whether the reader may
have the document, and builds it with the reader rules (documents/).
"""

from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, serializers, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from affiliates.models import Affiliate
from cms import permissions as story_permissions
from cms.models import LearningStoryPage
from grants import permissions as grant_permissions
from grants import readers as grant_readers
from grants.models import Round
from portal.users import UserSummarySerializer

from . import permissions, services
from .choices import ExportKind, PartStatus
from .documents import affiliates as affiliate_documents
from .documents import grants as grant_documents
from .documents.base import supported_language
from .documents.stories import story_document
from .models import Export


class PDFRenderer(renderers.BaseRenderer):
    """Lets clients ask for `Accept: application/pdf`; errors still come as JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


PDF_RENDERERS = [renderers.JSONRenderer, PDFRenderer]


def pdf_action(description: str, *, detail=True, url_path=None, operation_id=None):
    """A GET action answering a PDF (errors in JSON), documented in the schema."""

    def decorate(view):
        options = {"url_path": url_path} if url_path else {}
        view = action(
            detail=detail,
            methods=["get"],
            filter_backends=[],
            pagination_class=None,
            renderer_classes=PDF_RENDERERS,
            **options,
        )(view)
        return extend_schema(
            description=description,
            operation_id=operation_id,
            responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
        )(view)

    return decorate


def document_language() -> str:
    """Labels follow the reader's language (Accept-Language on the API)."""
    return supported_language(get_language(), "en")


def pdf_response(request, *, kind, object_id, document) -> HttpResponse:
    rendered = services.export_document(
        actor=request.user, kind=kind, object_id=object_id, document=document
    )
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def refuse_unless(allowed: bool, message) -> None:
    if not allowed:
        raise PermissionDenied(message)


class ExportViewSetBase(viewsets.GenericViewSet):
    """A viewset of PDF actions only: an error is answered in JSON, whatever the
    client accepted. Objects come through the owning app's visible queryset, so an
    object the reader may not see is a 404 before anything is rendered."""

    permission_classes = [drf_permissions.IsAuthenticatedOrReadOnly]
    serializer_class = serializers.Serializer

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), PDFRenderer
        ):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


class ProposalExportViewSet(ExportViewSetBase):
    def get_queryset(self):
        return grant_readers.proposals_for_reader(
            self.request.user, grant_documents.proposal_queryset()
        )

    @pdf_action(
        "The proposal as a PDF, labelled in the proposal's language: what the reader "
        "may see of it (the budget lines for the applicant, staff and committee).",
    )
    def pdf(self, request, pk=None):
        proposal = self.get_object()
        document = grant_documents.proposal_document(
            request.user, proposal, fallback_language=document_language()
        )
        return pdf_response(
            request, kind=ExportKind.PROPOSAL, object_id=proposal.pk, document=document
        )

    @pdf_action(
        "The committee dossier (confidential): proposal, budget, declarations and "
        "recusals, score summary, reviews, community comments and decision. Staff "
        "and committee members who declared no conflict and are not recused.",
        url_path="dossier-pdf",
    )
    def dossier_pdf(self, request, pk=None):
        proposal = self.get_object()
        refuse_unless(
            permissions.can_export_dossier(request.user, proposal),
            permissions.DOSSIER_REFUSAL,
        )
        document = grant_documents.dossier_document(
            request.user, proposal, document_language()
        )
        return pdf_response(
            request, kind=ExportKind.DOSSIER, object_id=proposal.pk, document=document
        )


class GrantReportExportViewSet(ExportViewSetBase):
    def get_queryset(self):
        return grant_permissions.visible_grant_reports(
            self.request.user, grant_documents.report_queryset()
        )

    @pdf_action(
        "The report as a PDF: targets against actuals, spending against the budget "
        "with variances, and the narrative. Staff and the grantee's members.",
    )
    def pdf(self, request, pk=None):
        report = self.get_object()
        document = grant_documents.report_document(
            request.user, report, document_language()
        )
        return pdf_response(
            request,
            kind=ExportKind.GRANT_REPORT,
            object_id=report.pk,
            document=document,
        )


class AffiliateExportViewSet(ExportViewSetBase):
    queryset = Affiliate.objects.all()

    @pdf_action(
        "The affiliate's compliance today: annual reports with due dates and status, "
        "and deferments. Staff and the affiliate's members.",
        url_path="compliance-pdf",
    )
    def compliance_pdf(self, request, pk=None):
        affiliate = self.get_object()
        refuse_unless(
            permissions.can_export_compliance(request.user, affiliate),
            permissions.COMPLIANCE_REFUSAL,
        )
        document = affiliate_documents.compliance_document(
            request.user, affiliate.pk, document_language()
        )
        return pdf_response(
            request,
            kind=ExportKind.COMPLIANCE,
            object_id=affiliate.pk,
            document=document,
        )

    @pdf_action(
        "Compliance of every affiliate today (staff).",
        operation_id="affiliates_all_compliance_pdf",
        detail=False,
        url_path="compliance-pdf",
    )
    def all_compliance_pdf(self, request):
        refuse_unless(
            permissions.can_export_all_compliance(request.user),
            permissions.ALL_COMPLIANCE_REFUSAL,
        )
        document = affiliate_documents.all_compliance_document(
            request.user, document_language()
        )
        return pdf_response(
            request, kind=ExportKind.COMPLIANCE_ALL, object_id=None, document=document
        )


class StoryExportViewSet(ExportViewSetBase):
    permission_classes = [drf_permissions.AllowAny]

    def get_queryset(self):
        return story_permissions.visible_stories(
            self.request.user, LearningStoryPage.objects.all()
        )

    @pdf_action("The published story as a PDF, in its own language.")
    def pdf(self, request, pk=None):
        story = self.get_object()
        return pdf_response(
            request,
            kind=ExportKind.STORY,
            object_id=story.pk,
            document=story_document(request.user, story),
        )


class MyStoryExportViewSet(ExportViewSetBase):
    permission_classes = [drf_permissions.IsAuthenticated]

    def get_queryset(self):
        return story_permissions.own_stories(
            self.request.user, LearningStoryPage.objects.all()
        )

    @pdf_action("Your affiliate's story as a PDF: the latest draft.")
    def pdf(self, request, pk=None):
        story = self.get_object()
        return pdf_response(
            request,
            kind=ExportKind.STORY,
            object_id=story.pk,
            document=story_document(
                request.user, story.get_latest_revision_as_object()
            ),
        )


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class ExportSerializer(serializers.ModelSerializer):
    requested_by = UserSummarySerializer(read_only=True, allow_null=True)
    progress = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "kind",
            "object_id",
            "label",
            "language",
            "status",
            "progress",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "pages",
            "size",
            "download_url",
            "error",
        ]

    def get_progress(self, export) -> ProgressSerializer:
        total = getattr(export, "parts_total", None)
        done = getattr(export, "parts_done", None)
        if total is None:
            total = export.parts.count()
            done = export.parts.exclude(status=PartStatus.PENDING).count()
        return {"done": done, "total": total}

    def get_download_url(self, export) -> str | None:
        request = self.context["request"]
        if not permissions.offers_download(request.user, export):
            return None
        return request.build_absolute_uri(f"/api/v1/jobs/{export.pk}/download/")


def exports_queryset(user):
    """The exports on record the reader may see, with their progress counted."""
    queryset = Export.objects.select_related("requested_by__profile").annotate(
        parts_total=Count("parts"),
        parts_done=Count("parts", filter=~Q(parts__status=PartStatus.PENDING)),
    )
    return permissions.visible_exports(user, queryset)


class RoundExportViewSet(ExportViewSetBase):
    queryset = Round.objects.select_related("program", "rubric")

    @extend_schema(request=None, responses={202: ExportSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def packet(self, request, pk=None):
        """Build the round packet as a background job: cover, contents, ranking and
        every dossier you may read. Follow it at `/api/v1/jobs/{id}/`."""
        export = services.request_packet(
            actor=request.user, round_=self.get_object(), language=document_language()
        )
        export = exports_queryset(request.user).get(pk=export.pk)
        data = ExportSerializer(export, context={"request": request}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


class ExportViewSet(
    ExportViewSetBase,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
):
    """The record of exports. Everyone reads their own; staff read everyone's.
    Round packets are jobs: `status`, `progress` (dossiers done of total) and, when
    ready, `download_url` for the person who asked for it."""

    permission_classes = [drf_permissions.IsAuthenticated]
    serializer_class = ExportSerializer
    filterset_fields = ["kind", "status"]
    ordering = ["-requested_at", "-id"]
    ordering_fields = ["requested_at", "id"]

    def get_queryset(self):
        return exports_queryset(self.request.user)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)}
    )
    @action(detail=True, methods=["get"], renderer_classes=PDF_RENDERERS)
    def download(self, request, pk=None):
        """The stored file, for the person it was built for, checked again now."""
        export = self.get_object()
        refusal = permissions.download_refusal(request.user, export)
        if refusal:
            raise PermissionDenied(refusal)
        return services.packet_download(actor=request.user, export=export)


# Routes beside the other apps' resources; the URLs are those the API always had.
ROUTES = [
    ("proposals", ProposalExportViewSet, "proposal-export"),
    ("reports", GrantReportExportViewSet, "report-export"),
    ("affiliates", AffiliateExportViewSet, "affiliate-export"),
    ("stories", StoryExportViewSet, "story-export"),
    ("my-stories", MyStoryExportViewSet, "my-story-export"),
    ("rounds", RoundExportViewSet, "round-export"),
    ("jobs", ExportViewSet, "job"),
]
