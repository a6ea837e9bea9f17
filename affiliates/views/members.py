"""Pages for members: the dashboard, members and roles, annual reports, deferments."""

from django.urls import path

from portal.placeholders import not_built

urlpatterns = [
    path("<slug:slug>/dashboard/", not_built, name="dashboard"),
    path("<slug:slug>/members/", not_built, name="members"),
    path("<slug:slug>/deferment/", not_built, name="deferment_request"),
    path("annual-reports/<int:pk>/", not_built, name="annual_report"),
]
