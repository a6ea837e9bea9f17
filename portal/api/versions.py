"""`ETag` on every record the API answers with; `If-Match` against lost updates.

The version is the one `portal.versions` computes from the record's history. A
`PATCH`, `PUT`, `DELETE` or state-change `POST` that sends `If-Match` is checked
after the record's row is locked (`portal.versions.check_version`): if the record
changed since the client read it, the answer is 412 and nothing changes. The pages
always send the version they showed; API clients should send If-Match.
"""

from rest_framework.permissions import SAFE_METHODS

from portal import versions

RECORD_ACTIONS = frozenset({"retrieve", "update", "partial_update"})


class VersionedMixin:
    """ETag on record responses; If-Match checked on writes (see the module)."""

    def record_version(self, obj) -> str:
        return versions.record_version(obj)

    def etag(self, obj) -> str:
        return f'"{self.record_version(obj)}"'

    def get_object(self):
        obj = super().get_object()
        self.versioned_object = obj
        expected = self.request.headers.get("If-Match")
        if self.request.method not in SAFE_METHODS and expected is not None:
            candidates = [part.strip() for part in expected.split(",")]
            if "*" not in candidates:
                versions.check_version(
                    obj,
                    candidates[0].removeprefix("W/"),
                    version=self.record_version,
                )
        return obj

    def returns_record(self) -> None:
        """Called by code paths whose response is the record itself."""
        self.record_in_response = True

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = getattr(self, "versioned_object", None)
        record = getattr(self, "action", None) in RECORD_ACTIONS or getattr(
            self, "record_in_response", False
        )
        if obj is not None and record and 200 <= response.status_code < 300:
            obj = type(obj)._default_manager.filter(pk=obj.pk).first()
            if obj is not None:
                response["ETag"] = self.etag(obj)
        return response
