"""Two-factor authentication is required for staff, committee members and the
editorial board (accounts.permissions.must_use_two_factor).

Until they have set it up, such a signed-in person reaches only the pages needed to do
so: sign-in and sign-out, their e-mail addresses and password, the two-factor pages,
the language picker and static files. Any other page sends them to the authenticator
app set-up (with `next` to come back); an API call with their session answers 403.
API tokens are not stopped here: they are created only by people who passed this
check, or by the operator (`manage.py create_api_token`).
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import permissions

ALLOWED_URL_NAME_PREFIXES = ("account_", "mfa_")
ALLOWED_URL_NAMES = frozenset({"set_language"})


def _allowed(request) -> bool:
    path = request.path_info
    if path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/favicon")):
        return True
    try:
        match = resolve(path)
    except Resolver404:
        return False
    name = match.url_name or ""
    return name in ALLOWED_URL_NAMES or name.startswith(ALLOWED_URL_NAME_PREFIXES)


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and permissions.must_use_two_factor(user)
            and not permissions.has_two_factor(user)
            and not _allowed(request)
        ):
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request):
        message = _("Your role needs two-factor authentication. Set it up to continue.")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        target = reverse("mfa_activate_totp")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        messages.info(request, message)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)
