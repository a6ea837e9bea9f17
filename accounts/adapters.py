"""allauth hooks: sign-in lands in the person's own language; Wikimedia accounts do
not bring their real name into the portal."""

from allauth.account.adapter import DefaultAccountAdapter
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
