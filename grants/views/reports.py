"""Pages: grant reports (see grants/urls.py)."""

from django.urls import path

from portal.placeholders import not_built

urlpatterns = [
    path("reports/<int:pk>/", not_built, name="report"),
    path("reports/<int:pk>/edit/", not_built, name="report_edit"),
]
