"""Language selection (pages by URL prefix, the API by Accept-Language) and the
Content-Security-Policy header."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class PortalLocaleMiddleware(LocaleMiddleware):
    """Pages carry their language in the URL (/ar/…); API clients ask for one with
    Accept-Language, so that errors come back in the user's language."""

    NEGOTIATED_PREFIXES = ("/api/",)

    def process_request(self, request):
        if request.path_info.startswith(self.NEGOTIATED_PREFIXES):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with a different value of some directives for some
    parts of the site.

    `CONTENT_SECURITY_POLICY` is the policy of every response; `CSP_PATH_DIRECTIVES`
    maps a path prefix to directives that replace the default ones there (the admins
    need inline style attributes, for example). The first matching prefix wins. No
    policy ever allows inline or evaluated scripts (tests/portal/test_headers.py).
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        for prefix, directives in getattr(settings, "CSP_PATH_DIRECTIVES", {}).items():
            if request.path_info.startswith(prefix):
                parts.replace = {**directives, **(parts.replace or {})}
                break
        return parts
