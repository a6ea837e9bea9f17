"""drf-spectacular hooks: the schema documents our API only, not Wagtail's admin API."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer

from portal import limits


def only_public_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class PortalAutoSchema(AutoSchema):
    """Fields a serializer leaves out for some readers are optional in responses;
    nested rows show their limit (portal.limits.CHILD_ROWS) as maxItems."""

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
        private = set(getattr(serializer, "private_fields", ())) | set(
            getattr(serializer, "sometimes_omitted", ())
        )
        if direction == "response" and private and "required" in schema:
            schema["required"] = [n for n in schema["required"] if n not in private]
            if not schema["required"]:
                del schema["required"]
        return schema
