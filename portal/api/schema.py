"""drf-spectacular hooks: the schema documents our API only, not Wagtail's admin API."""

from drf_spectacular.openapi import AutoSchema


def only_public_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class PortalAutoSchema(AutoSchema):
    """Fields a serializer leaves out for some readers are optional in responses;
    fields a service requires (`required_by_service`) are required in requests, so
    the schema tells what the service will check."""

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
