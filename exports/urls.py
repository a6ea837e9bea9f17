"""Export pages, inside the language prefixes (portal/urls.py)."""

from .views import urlpatterns as view_patterns

app_name = "exports"

urlpatterns = [*view_patterns]
