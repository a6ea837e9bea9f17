"""Pages: proposals and the proposal editor (see grants/urls.py)."""

from django.urls import path

from portal.placeholders import not_built

urlpatterns = [
    path("proposals/", not_built, name="proposals"),
    path("proposals/new/", not_built, name="proposal_new"),
    path("proposals/<int:pk>/", not_built, name="proposal"),
    path("proposals/<int:pk>/edit/<str:step>/", not_built, name="proposal_edit"),
    path("proposals/<int:pk>/history/", not_built, name="proposal_history"),
]
