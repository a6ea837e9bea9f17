"""The grants pages, inside the language prefixes (portal/urls.py). Each module of
grants/views/ lists its own routes."""

from .views import (
    comments,
    committee,
    proposals,
    public,
    reports,
    reviews,
    staff,
    staff_moderation,
    staff_proposals,
    staff_rounds,
)

app_name = "grants"

urlpatterns = [
    *public.urlpatterns,
    *proposals.urlpatterns,
    *reports.urlpatterns,
    *comments.urlpatterns,
    *reviews.urlpatterns,
    *staff.urlpatterns,
    *staff_proposals.urlpatterns,
    *staff_rounds.urlpatterns,
    *staff_moderation.urlpatterns,
    *committee.urlpatterns,
]
