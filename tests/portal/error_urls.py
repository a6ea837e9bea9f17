"""Plain Django views that end in each kind of domain error (for test_errors.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path

from affiliates.models import Affiliate
from portal.exceptions import TransitionNotAllowed
from portal.urls import urlpatterns as portal_urlpatterns


def invalid(request):
    Affiliate.objects.filter(slug="ghana").update(name="Changed before the error")
    raise ValidationError({"title": ["Give the proposal a title."]})


def conflict(request):
    raise TransitionNotAllowed(obj_label="proposal", current="Draft", action="approve")


def forbidden(request):
    raise PermissionDenied("Only the applicant can edit this draft.")


# The portal's own URLs too: the error page's layout links to them.
urlpatterns = [
    path("invalid/", invalid),
    path("conflict/", conflict),
    path("forbidden/", forbidden),
    *portal_urlpatterns,
]
