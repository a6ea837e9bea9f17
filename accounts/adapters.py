"""allauth hooks: sign-in lands in the person's own language; Wikimedia accounts do
not bring their real name into the portal."""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .services import profile_for, profile_update


def _remember_current_language(user) -> None:
    """A new account keeps the language it signed up in."""
    language = translation.get_language()
    profile = profile_for(user)
    if language in dict(settings.LANGUAGES) and not profile.language:
        profile_update(
            actor=user,
            profile=profile,
            language=language,
            reason=_("Language used at sign-up"),
        )


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            _remember_current_language(user)
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Signing in counts as authenticating recently: two-factor set-up right after
        signing in (as staff and committee members are made to) does not ask for the
        password again. Later than REAUTHENTICATION_TIMEOUT (5 minutes), it does."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = getattr(context, "request", None)
        if not required or request is None:
            return required
        user = request.user
        if not user.is_authenticated:
            return required
        records = get_authentication_records(request, user)
        timeout = account_settings.REAUTHENTICATION_TIMEOUT
        recent = bool(records) and time.time() - records[-1]["at"] < timeout
        return not recent

    def get_login_redirect_url(self, request):
        url = super().get_login_redirect_url(request)
        language = profile_for(request.user).language
        if language and language != translation.get_language():
            return translate_url(url, language)
        return url


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        # A Wikimedia "real name" is private there; we do not copy it.
        data = {key: value for key, value in data.items() if key == "username"} | {
            "email": data.get("email") or ""
        }
        return super().populate_user(request, sociallogin, data)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        _remember_current_language(user)
        return user
