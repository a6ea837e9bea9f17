"""The notification pages, inside the language prefixes (portal/urls.py)."""

from .views import urlpatterns  # noqa: F401

app_name = "notifications"
