"""A page that is routed but not built yet answers 404 (never a half page). Each route
here is replaced by its real view as the page lands; nothing should link to one."""

from django.http import Http404


def not_built(request, *args, **kwargs):
    raise Http404
