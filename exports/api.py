"""PDF responses for the resource viewsets, and the export jobs resource (/jobs/)."""

from django.http import FileResponse, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from portal.users import UserSummarySerializer

from . import packets, permissions, services
from .choices import ExportStatus, PartStatus
from .documents.base import supported_language
from .models import Export
from .storage import private_storage


class PDFRenderer(renderers.BaseRenderer):
    """Lets clients ask for `Accept: application/pdf`; errors still come as JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


PDF_RENDERERS = [renderers.JSONRenderer, PDFRenderer]


class PDFActionMixin:
    """For viewsets with PDF actions: an error is answered in JSON, whatever the
    client accepted."""

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and isinstance(
            getattr(request, "accepted_renderer", None), PDFRenderer
        ):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


def pdf_schema(description: str, operation_id: str | None = None):
    return extend_schema(
        description=description,
        operation_id=operation_id,
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )


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
        return pdf_schema(description, operation_id)(view)

    return decorate


def request_language(request) -> str:
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
        if export.status != ExportStatus.READY or not export.file:
            return None
        if export.requested_by_id != request.user.pk:
            return None
        return request.build_absolute_uri(f"/api/v1/jobs/{export.pk}/download/")


class ExportViewSet(
    PDFActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The record of exports. Everyone reads their own; staff read everyone's.
    Round packets are jobs: `status`, `progress` (dossiers done of total) and, when
    ready, `download_url` for the person who asked for it."""

    serializer_class = ExportSerializer
    filterset_fields = ["kind", "status"]
    ordering = ["-requested_at", "-id"]
    ordering_fields = ["requested_at", "id"]

    def get_queryset(self):
        from django.db.models import Count, Q

        queryset = Export.objects.select_related("requested_by").annotate(
            parts_total=Count("parts"),
            parts_done=Count("parts", filter=~Q(parts__status=PartStatus.PENDING)),
        )
        return permissions.visible_exports(self.request.user, queryset)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)}
    )
    @action(detail=True, methods=["get"], renderer_classes=PDF_RENDERERS)
    def download(self, request, pk=None):
        """The stored file, for the person it was built for, checked again now."""
        export = self.get_object()
        if export.status != ExportStatus.READY or not export.file:
            raise PermissionDenied(_("This export has no file to download."))
        if not permissions.can_download(request.user, export):
            raise PermissionDenied(
                _(
                    "Only the person who built this packet can download it, and only "
                    "while they may still read every dossier in it. Build a new one."
                )
            )
        if not packets.is_current(export):
            raise PermissionDenied(
                _(
                    "What this packet shows has changed since it was built. Build a "
                    "new one: dossiers that did not change are reused, so it is quick."
                )
            )
        services.record_download(actor=request.user, export=export)
        response = FileResponse(
            private_storage().open(export.file.name),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"packet-{export.object_id}-{export.pk}.pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response
