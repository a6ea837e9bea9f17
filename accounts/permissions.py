"""Who may do what with accounts, and who must use two-factor authentication."""

from django.conf import settings


def _editorial_board_group() -> str:
    from cms.site import EDITORIAL_BOARD

    return EDITORIAL_BOARD


def must_use_two_factor(user) -> bool:
    """Staff, members of an active committee seat and the editorial board can change
    or see what others cannot: a stolen password alone must not be enough for them."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_portal_must_use_two_factor", None)
    if cached is not None:
        return cached
    required = (
        user.is_staff
        or user.is_superuser
        or user.committee_seats.filter(is_active=True).exists()
        or user.groups.filter(name=_editorial_board_group()).exists()
    )
    user._portal_must_use_two_factor = required
    return required


def has_two_factor(user) -> bool:
    """An authenticator app or a security key/passkey is set up (recovery codes alone
    do not count: they only back up one of those)."""
    if not getattr(user, "is_authenticated", False):
        return False
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user,
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
    ).exists()


def can_change_profile(user, profile) -> bool:
    """People change their own profile; staff change profiles in the admin."""
    return getattr(user, "is_authenticated", False) and profile.user_id == user.pk


def can_create_api_token(actor, user) -> bool:
    """Everyone signed in may create tokens for themselves, once two-factor is set up
    where it is required. (Scripts run by the operator pass `actor=None`.)"""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        return False
    return not must_use_two_factor(actor) or has_two_factor(actor)


def can_see_api_token(actor, token) -> bool:
    """A token is listed only to its owner (and to staff in the admin)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return token.user_id == actor.pk or actor.is_staff


def can_revoke_api_token(actor, token) -> bool:
    """Owners revoke their tokens; staff may revoke anyone's (a leaked key)."""
    if actor is None:
        return True
    return can_see_api_token(actor, token)


def wikimedia_sign_in_enabled() -> bool:
    return "mediawiki" in getattr(settings, "SOCIALACCOUNT_PROVIDERS", {})
