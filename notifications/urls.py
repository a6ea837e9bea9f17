"""The notification pages, inside the language prefixes (portal/urls.py). The
calendar feed is not among them: calendar programs fetch it without a language, so
portal/urls.py mounts it outside the prefixes."""

from .views import urlpatterns  # noqa: F401

app_name = "notifications"
