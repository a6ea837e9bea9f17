"""Pages: community comments on a proposal (see grants/urls.py)."""

from django.urls import path

from portal.placeholders import not_built

urlpatterns = [
    path("proposals/<int:pk>/comments/", not_built, name="comments"),
]
