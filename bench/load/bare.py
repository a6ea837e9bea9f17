"""The bare view of the load test: Django with no middleware, no database and no
templates, one view that answers a fixed JSON body. Served by the same gunicorn
settings as the portal (deploy/gunicorn.conf.py, same number of processes), it
shows what the server, the network stack and Django's request handling cost on
their own, so the portal's own cost can be given as a ratio.

    gunicorn -c deploy/gunicorn.conf.py bench.load.bare:application
"""

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-bare-view-not-secret",  # noqa: S106 - nothing to protect here
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_I18N=False,
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402

BODY = {"status": "ok", "items": [{"id": n, "name": f"item {n}"} for n in range(10)]}


def bare(request):
    return JsonResponse(BODY)


urlpatterns = [path("bare/", bare)]
application = get_wsgi_application()
