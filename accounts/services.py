"""State changes of profiles and API tokens. Every change is validated and audited."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import limits
from portal.audit import save_audited

from . import permissions
from .models import ApiToken, Profile, hash_token_key

# Keys look like `gp_<43 characters>`: 256 random bits, recognisable in a leak scan.
TOKEN_PREFIX = "gp_"  # noqa: S105 (a label, not a secret)
# How stale `last_used_at` may get before a request writes it again.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def profile_for(user) -> Profile:
    """The user's profile, created on first need (a signal creates it too)."""
    try:
        return user.profile
    except Profile.DoesNotExist:
        pass
    profile, _created = Profile.objects.get_or_create(user=user)
    user.profile = profile
    return profile


@transaction.atomic
def profile_update(
    *,
    actor,
    profile: Profile,
    public_name: str | None = None,
    language: str | None = None,
    show_affiliation: bool | None = None,
    reason: str = "",
) -> Profile:
    """Change the given fields of a profile (None leaves a field as it is)."""
    if not permissions.can_change_profile(actor, profile):
        raise PermissionDenied(_("You may only change your own profile."))
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    if public_name is not None:
        profile.public_name = public_name.strip()
    if language is not None:
        profile.language = language
    if show_affiliation is not None:
        profile.show_affiliation = show_affiliation
    return save_audited(profile, actor=actor, reason=reason or _("Profile edited"))


def profile_set_language(*, actor, language: str) -> Profile | None:
    """Remember the interface language someone picked (signed-in people only)."""
    if not getattr(actor, "is_authenticated", False):
        return None
    if language not in dict(settings.LANGUAGES):
        raise ValueError(language)
    profile = profile_for(actor)
    if profile.language == language:
        return profile
    return profile_update(
        actor=actor,
        profile=profile,
        language=language,
        reason=_("Language chosen in the language picker"),
    )


@transaction.atomic
def api_token_create(*, actor, user, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the token and its key. The key is not kept:
    the caller shows it once."""
    if not permissions.can_create_api_token(actor, user):
        raise PermissionDenied(_("You may not create API tokens for this account."))
    _check_token_limits(user)
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip(),
        key_prefix=key[: len(TOKEN_PREFIX) + 6],
        key_hash=hash_token_key(key),
    )
    save_audited(token, actor=actor, reason=_("API token created"))
    return token, key


def _check_token_limits(user) -> None:
    """A stolen session must not mint credentials without end: a few active tokens,
    a few new ones a day (portal.limits)."""
    tokens = ApiToken.objects.filter(user=user)
    if tokens.active().count() >= limits.API_TOKENS_ACTIVE:
        raise ValidationError(
            {
                "name": _(
                    "You have %(limit)s active tokens: revoke one you no longer use "
                    "first."
                )
                % {"limit": limits.API_TOKENS_ACTIVE}
            }
        )
    since = timezone.now() - datetime.timedelta(days=1)
    if tokens.filter(created_at__gte=since).count() >= limits.API_TOKENS_PER_DAY:
        raise ValidationError(
            {"name": _("You created many tokens today: try again tomorrow.")}
        )


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke a token: it stops working at once and stays on record."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if not permissions.can_revoke_api_token(actor, token):
        raise PermissionDenied(_("You may not revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        save_audited(token, actor=actor, reason=reason or _("API token revoked"))
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key, its user loaded; notes when it was last used.

    `last_used_at` is left out of the token's history on purpose, so writing it with
    `update()` loses nothing; it is written at most once a minute per token.
    """
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=hash_token_key(key))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
