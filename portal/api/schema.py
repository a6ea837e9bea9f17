"""drf-spectacular hooks: the schema documents our API only, not Wagtail's admin API."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import SAFE_METHODS

from portal import limits
from portal.exceptions import StaleRecord

from .versions import RECORD_ACTIONS, VersionedMixin

ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=["200", "201"],
    description="The record's version; send it back in If-Match when you change it.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description=(
        "The ETag you read. If the record changed since, the answer is 412 and "
        "nothing changes. The portal's pages always send it."
    ),
)


def only_public_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class PortalAutoSchema(AutoSchema):
    """Fields a serializer leaves out for some readers are optional in responses;
    fields a service requires (`required_by_service`) are required in requests, so
    the schema tells what the service will check; nested rows show their limit
    (portal.limits.CHILD_ROWS) as maxItems. Versioned records document their ETag,
    If-Match and the 412 answer."""

    def _versioned_detail(self) -> bool:
        view = self.view
        return isinstance(view, VersionedMixin) and "{id}" in self.path

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._versioned_detail():
            action = getattr(self.view, "action", None)
            if action in RECORD_ACTIONS or self.method == "POST":
                parameters.append(ETAG)
            if self.method not in SAFE_METHODS:
                parameters.append(IF_MATCH)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self._versioned_detail() and self.method not in SAFE_METHODS:
            responses.setdefault("412", {"description": str(StaleRecord.message)})
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema and is_list_serializer(field):
            model = getattr(getattr(field.child, "Meta", None), "model", None)
            limit = getattr(field, "max_length", None) or (
                limits.CHILD_ROWS.get(model._meta.label) if model else None
            )
            if limit and schema.get("type") == "array":
                schema["maxItems"] = limit
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        private = set(getattr(serializer, "omittable_fields", ()))
        if direction == "response" and private and "required" in schema:
            schema["required"] = [n for n in schema["required"] if n not in private]
            if not schema["required"]:
                del schema["required"]
        needed = list(getattr(serializer, "required_by_service", ()))
        if direction == "request" and needed:
            schema["required"] = sorted(set(schema.get("required", [])) | set(needed))
        return schema
