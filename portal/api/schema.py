"""drf-spectacular hooks: the schema documents our API only, not Wagtail's admin API."""


def only_public_api(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
