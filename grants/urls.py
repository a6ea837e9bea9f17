"""The grants pages, inside the language prefixes (portal/urls.py). Each module of
grants/views/ lists its own routes."""

from .views import comments, committee, proposals, public, reports

app_name = "grants"

urlpatterns = [
    *public.urlpatterns,
    *proposals.urlpatterns,
    *reports.urlpatterns,
    *comments.urlpatterns,
    *committee.urlpatterns,
]
