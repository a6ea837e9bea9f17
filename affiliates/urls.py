"""The affiliate pages, inside the language prefixes (portal/urls.py). Each module of
affiliates/views/ lists its own routes."""

from .views import compliance, members, public

app_name = "affiliates"

# compliance first: its fixed paths (compliance/) come before public's <slug>/.
urlpatterns = [*compliance.urlpatterns, *members.urlpatterns, *public.urlpatterns]
