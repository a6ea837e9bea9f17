"""Account menu entries (see portal/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.navigation import ACCOUNT, NavItem


def items(request) -> list[NavItem]:
    if not request.user.is_authenticated:
        return []
    return [
        NavItem(
            _("Your account"),
            reverse("accounts:overview"),
            order=10,
            menu=ACCOUNT,
            match_prefix=reverse("accounts:overview"),
        ),
        NavItem(_("API tokens"), reverse("accounts:tokens"), order=20, menu=ACCOUNT),
    ]
