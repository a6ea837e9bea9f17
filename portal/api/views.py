"""Shared ViewSet plumbing: thin views that hand writes to services."""

from rest_framework.response import Response

from .base import ActionSerializer, pop_reason


class ServiceActionMixin:
    """Runs a state-change service for a POST action and returns the fresh object.

    `service_object_name` is the keyword the services of this resource take for the
    object (e.g. "proposal"). The body is validated by `body_serializer`; the optional
    `change_reason` in it becomes the reason in the audit history.
    """

    service_object_name = "obj"

    def run_service_action(self, request, service, body_serializer=ActionSerializer):
        obj = self.get_object()
        body = body_serializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        reason = pop_reason(data)
        result = service(
            actor=request.user, **{self.service_object_name: obj}, reason=reason, **data
        )
        return Response(self.get_serializer(self.refetch(result)).data)

    def refetch(self, obj):
        """Reload through the scoped queryset so annotations and prefetches apply."""
        return self.get_queryset().filter(pk=obj.pk).first() or obj
