"""What the portal keeps about a person beyond Django's user: a profile and API tokens.

The legal name (first and last name on the user) is never shown publicly; people choose
a public name, or are shown by their username.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Profile(models.Model):
    """One per user, created with the user (accounts.services.profile_for)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    public_name = models.CharField(
        _("public name"),
        max_length=80,
        blank=True,
        help_text=_(
            "The name other people see. Leave it empty to be shown by your username. "
            "It does not need to be your legal name."
        ),
    )
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The portal and its e-mails use this language."),
    )
    show_affiliation = models.BooleanField(
        _("name me as a member of affiliates that hide their members"),
        default=False,
        help_text=_(
            "Some affiliates keep their member list private. Only if you tick this "
            "may such an affiliate list you publicly."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.public_name.strip() or self.user.get_username()


def hash_token_key(key: str) -> str:
    """Tokens are long random strings: one SHA-256 is enough to keep them unreadable
    in the database, and lets us find a token by its hash in one query."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A named credential for `Authorization: Token <key>`. Only a hash of the key is
    stored; the key itself is shown once, when the token is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="portal_api_tokens",
    )
    name = models.CharField(_("name"), max_length=80)
    key_prefix = models.CharField(
        _("first characters"),
        max_length=12,
        help_text=_("The start of the key, to tell tokens apart."),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    # Using a token is not a change worth a history row (and would write one per call).
    history = HistoricalRecords(excluded_fields=["last_used_at"])
    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
