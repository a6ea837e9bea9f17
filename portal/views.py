"""Small site-wide views: the language picker, and the admin sign-in pages sending
people to the one sign-in page (with two-factor)."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.services import profile_set_language

from .middleware import set_language_cookie


def _safe_next(request, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return default


def _page_in_language(page_id: str, language: str) -> str | None:
    """The URL of this Wagtail page's live translation, if there is one."""
    if not page_id.isdigit():
        return None
    from wagtail.models import Locale, Page

    page = Page.objects.filter(pk=int(page_id)).first()
    locale = Locale.objects.filter(language_code=language).first()
    if page is None or locale is None:
        return None
    translation_ = (
        Page.objects.live().public().filter(translation_key=page.translation_key)
    ).filter(locale=locale)
    found = translation_.first()
    return found.url if found else None


@require_POST
def set_language(request):
    """Switch the interface language: saved on the profile of a signed-in person and
    in a cookie for everyone; back to the same page in the new language."""
    language = request.POST.get("language", "")
    next_url = _safe_next(request, "/")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(next_url)
    profile_set_language(actor=request.user, language=language)
    page_id = request.POST.get("page", "")
    if page_id:
        # A Wagtail page: its translation, else the home page in that language.
        target = _page_in_language(page_id, language)
        if target is None:
            target = "/" if language == settings.LANGUAGE_CODE else f"/{language}/"
    else:
        # Resolve the old URL in its own language, then reverse it in the new one.
        current = translation.get_language_from_path(next_url)
        with translation.override(current or settings.LANGUAGE_CODE):
            target = translate_url(next_url, language)
    with translation.override(language):
        response = HttpResponseRedirect(target)
    set_language_cookie(response, language)
    return response


def admin_sign_in(request, admin_home: str):
    """/admin/login/ and /cms-admin/login/ must not be a way around two-factor."""
    next_url = _safe_next(request, admin_home)
    return HttpResponseRedirect(
        f"{reverse('account_login')}?{urlencode({'next': next_url})}"
    )
