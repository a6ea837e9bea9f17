"""Pages: the affiliate directory, public profiles, asking to join."""

from django.urls import path

from portal.placeholders import not_built

urlpatterns = [
    path("", not_built, name="directory"),
    path("<slug:slug>/", not_built, name="profile"),
    path("<slug:slug>/join/", not_built, name="join"),
]
