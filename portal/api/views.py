"""Shared ViewSet plumbing: thin views that hand every write to a service."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from .base import ActionSerializer, RequiredReasonActionSerializer, pop_reason
from .versions import VersionedMixin


class ServiceViewSetMixin(VersionedMixin):
    """Creates, updates and runs actions through services; views hold no logic.

    - `create_service(actor=, reason=, **fields)` makes a new object;
    - `update_service(actor=, <service_object_name>=obj, reason=, **fields)` edits one;
    - `run_service_action()` runs a state-change service for a POST action.
    The optional `change_reason` in the body becomes the reason in the audit history.
    Records carry their version (`ETag`) and writes honour `If-Match` (versions.py).
    Services are set with `staticmethod(...)` so they are not bound to the view.
    """

    service_object_name = "obj"
    create_service = None
    update_service = None
    # `(user) -> bool` from permissions.py, asked before the body is read: someone
    # who may not create or edit learns nothing from the validation of the ids they
    # send (a hidden record and a missing one answer alike).
    create_permission = None
    update_permission = None

    def check_permissions(self, request):
        super().check_permissions(request)
        check = {
            "create": self.create_permission,
            "update": self.update_permission,
            "partial_update": self.update_permission,
        }.get(getattr(self, "action", None))
        if check is not None and not check(request.user):
            self.permission_denied(request)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        reason = pop_reason(data)
        obj = self.create_service(actor=self.request.user, reason=reason, **data)
        serializer.instance = self.refetch(obj)
        self.versioned_object = obj
        self.returns_record()

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        reason = pop_reason(data)
        obj = self.update_service(
            actor=self.request.user,
            **{self.service_object_name: serializer.instance},
            reason=reason,
            **data,
        )
        serializer.instance = self.refetch(obj)

    def run_service_action(self, request, service, body_serializer=ActionSerializer):
        obj = self.get_object()
        body = body_serializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        reason = pop_reason(data)
        result = service(
            actor=request.user, **{self.service_object_name: obj}, reason=reason, **data
        )
        self.returns_record()
        return Response(self.get_serializer(self.refetch(result)).data)

    def refetch(self, obj):
        """Reload through the scoped queryset so annotations and prefetches apply."""
        return self.get_queryset().filter(pk=obj.pk).first() or obj


class ReportActionsMixin:
    """`submit/`, `accept/` and `send-back/` for a report resource: grant reports and
    annual reports take the same steps (see portal.report_review)."""

    submit_service = None
    accept_service = None
    send_back_service = None

    @extend_schema(request=ActionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """The affiliate's admin submits the complete report to staff."""
        return self.run_service_action(request, self.submit_service)

    @extend_schema(request=ActionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Staff accept the submitted report."""
        return self.run_service_action(request, self.accept_service)

    @extend_schema(request=RequiredReasonActionSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """Staff send the report back, saying what is missing."""
        return self.run_service_action(
            request, self.send_back_service, RequiredReasonActionSerializer
        )
