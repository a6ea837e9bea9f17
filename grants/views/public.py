"""Pages: funded grants, for everyone (see grants/urls.py)."""

from django.urls import path

from portal.placeholders import not_built

urlpatterns = [
    path("funded/", not_built, name="funded"),
    path("funded/<int:pk>/", not_built, name="grant"),
]
