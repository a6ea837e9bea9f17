"""Menu entries of the notifications app (see portal/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.navigation import ACCOUNT, NavItem


def items(request) -> list[NavItem]:
    if not request.user.is_authenticated:
        return []
    return [
        NavItem(
            _("Notifications"),
            reverse("notifications:inbox"),
            order=15,
            menu=ACCOUNT,
            match_prefix=reverse("notifications:inbox"),
        ),
        NavItem(
            _("Notification settings"),
            reverse("notifications:preferences"),
            order=16,
            menu=ACCOUNT,
        ),
    ]
