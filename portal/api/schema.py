"""drf-spectacular hooks: the schema documents our API only, not Wagtail's admin API."""

from drf_spectacular.openapi import AutoSchema


def only_public_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class PortalAutoSchema(AutoSchema):
    """Fields a serializer leaves out for some readers are optional in responses."""

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
