"""The affiliate pages, inside the language prefixes (portal/urls.py). Each module of
affiliates/views/ lists its own routes."""

from .views import members, public

app_name = "affiliates"

urlpatterns = [*members.urlpatterns, *public.urlpatterns]
