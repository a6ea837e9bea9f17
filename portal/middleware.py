"""Language selection, and the Content-Security-Policy header.

- Pages carry their language in the URL: English unprefixed, `/ar/…` etc.
- On an unprefixed page, someone whose language is not English is redirected to the
  prefixed URL. Their language is, in order: the signed-in user's saved preference,
  the language cookie (set by the language picker), the browser's Accept-Language.
- Paths outside `i18n_patterns` (the API, /admin/, /cms-admin/, OAuth callbacks) are
  never redirected; they use the same order to pick a language, except the API, which
  follows Accept-Language only, as API clients expect.
"""

from functools import cache

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, get_resolver, get_script_prefix
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from django.utils.cache import patch_vary_headers

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def saved_language(user) -> str:
    """The signed-in user's saved interface language, or ''."""
    if not getattr(user, "is_authenticated", False):
        return ""
    from accounts.services import profile_for

    return profile_for(user).language


def preferred_language(request) -> str:
    """Saved preference, then cookie, then Accept-Language (never the URL)."""
    language = saved_language(getattr(request, "user", None))
    if language:
        return language
    return translation.get_language_from_request(request, check_path=False)


@cache
def _unprefixed_resolver():
    """A resolver over the URL patterns that sit outside i18n_patterns."""
    from django.urls.resolvers import RegexPattern, URLResolver

    root = get_resolver()
    patterns = [
        p for p in root.url_patterns if not isinstance(p.pattern, LocalePrefixPattern)
    ]
    return URLResolver(RegexPattern(r"^/"), patterns)


def is_language_prefixed_path(path: str) -> bool:
    """Does this path belong to i18n_patterns (pages that exist per language)?"""
    try:
        _unprefixed_resolver().resolve(path)
    except Resolver404:
        return True
    return False


class PortalLocaleMiddleware(LocaleMiddleware):
    NEGOTIATED_PREFIXES = ("/api/",)

    def process_request(self, request):
        path = request.path_info
        if path.startswith(self.NEGOTIATED_PREFIXES):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
            return None
        if not is_language_prefixed_path(path):
            translation.activate(preferred_language(request))
            request.LANGUAGE_CODE = translation.get_language()
            return None
        if translation.get_language_from_path(path) is None:
            # An unprefixed page is English; send others to their language.
            language = preferred_language(request)
            if (
                language != settings.LANGUAGE_CODE
                and request.method in ("GET", "HEAD")
                and not getattr(request, "htmx", False)
            ):
                target = f"{get_script_prefix()}{language}{path}"
                if query := request.META.get("QUERY_STRING"):
                    target += f"?{query}"
                request._portal_language_redirect = True
                return HttpResponseRedirect(target)
        return super().process_request(request)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        path = request.path_info
        if not path.startswith(self.NEGOTIATED_PREFIXES):
            # The same URL answers differently by cookie and browser language.
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        # Keep the cookie in step with a signed-in user's saved choice, so the
        # choice still holds after signing out.
        language = saved_language(getattr(request, "user", None))
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language and cookie != language:
            set_language_cookie(response, language)
        return response


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


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
