"""Account pages: profile and language, an overview of sign-in security, API tokens.

E-mail addresses, password, two-factor, passkeys and connected accounts are allauth's
pages, shown in our layout (templates/account/, templates/mfa/, templates/socialaccount/
under portal/templates).
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.middleware import set_language_cookie

from . import permissions, services
from .forms import ApiTokenForm, ProfileForm
from .models import ApiToken


def _security_summary(user) -> dict:
    authenticators = Authenticator.objects.filter(user=user)
    types = [a.type for a in authenticators]
    return {
        "emails": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "has_password": user.has_usable_password(),
        "totp": Authenticator.Type.TOTP in types,
        "passkeys": types.count(Authenticator.Type.WEBAUTHN),
        "recovery_codes": Authenticator.Type.RECOVERY_CODES in types,
        "must_use_two_factor": permissions.must_use_two_factor(user),
        "has_two_factor": permissions.has_two_factor(user),
        "wikimedia_enabled": permissions.wikimedia_sign_in_enabled(),
        "social_accounts": SocialAccount.objects.filter(user=user),
        "token_count": ApiToken.objects.active().filter(user=user).count(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def overview(request):
    profile = services.profile_for(request.user)
    form = ProfileForm(
        request.POST or None,
        instance=profile,
        initial={"language": profile.language or translation.get_language()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.profile_update(
            actor=request.user,
            profile=profile,
            public_name=data["public_name"],
            language=data["language"],
            show_affiliation=data["show_affiliation"],
        )
        with translation.override(data["language"]):
            messages.success(request, _("Your profile is saved."))
            response = HttpResponseRedirect(
                translate_url(reverse("accounts:overview"), data["language"])
            )
        set_language_cookie(response, data["language"])
        return response
    return render(
        request,
        "accounts/overview.html",
        {"form": form, "profile": profile, **_security_summary(request.user)},
    )


def _token_list(request):
    return ApiToken.objects.active().filter(user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    """List and create tokens. A new key is shown in this response only."""
    if not permissions.can_create_api_token(request.user, request.user):
        raise Http404
    form = ApiTokenForm(request.POST or None)
    new_key = None
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_key = services.api_token_create(
                actor=request.user, user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenForm()
    context = {
        "form": form,
        "tokens": _token_list(request),
        "new_key": new_key,
        "new_token": new_token,
    }
    template = "accounts/tokens.html"
    if request.htmx and request.method == "POST":
        template = "accounts/_tokens_panel.html"
    response = render(request, template, context)
    if new_key:
        # The key must not stay in any cache.
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(_token_list(request), pk=pk)
    services.api_token_revoke(actor=request.user, token=token)
    message = _("The token “%(name)s” is revoked.") % {"name": token.name}
    if request.htmx:
        messages.success(request, message)
        return render(
            request,
            "accounts/_tokens_panel.html",
            {"form": ApiTokenForm(), "tokens": _token_list(request)},
        )
    messages.success(request, message)
    return HttpResponseRedirect(reverse("accounts:tokens"))
