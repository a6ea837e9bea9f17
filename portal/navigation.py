"""The main navigation, built from small per-app functions.

`settings.PORTAL_NAVIGATION` lists dotted paths of functions `items(request)` that
return `NavItem`s for this request (only pages that exist and that this person may
open). The `nav_items` context processor gathers them for the layout:
`nav_items` (main menu) and `account_items` (the account menu). To add a section,
write `yourapp/navigation.py` with an `items(request)` function and append its path to
PORTAL_NAVIGATION; see docs/components.md.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

MAIN = "main"
ACCOUNT = "account"


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 100
    menu: str = MAIN
    # A page is "current" when the request path starts with this (default: url).
    match_prefix: str = ""

    def is_current(self, path: str) -> bool:
        prefix = self.match_prefix or self.url
        if prefix in ("", "/") or prefix.rstrip("/") == f"/{get_language()}":
            return path == prefix
        return path.startswith(prefix)


@cache
def _providers():
    return [import_string(path) for path in settings.PORTAL_NAVIGATION]


def collect(request) -> list[NavItem]:
    items = []
    for provider in _providers():
        items.extend(provider(request))
    return sorted(items, key=lambda item: item.order)


def nav_items(request):
    """Context processor: `nav_items`, `account_items` as (item, is_current) pairs."""
    if request is None or not hasattr(request, "user"):
        return {}
    from accounts.permissions import wikimedia_sign_in_enabled

    path = request.path
    items = collect(request)
    # One current page per menu: the item whose prefix matches the most of the path.
    current = {}
    for item in items:
        if item.is_current(path):
            best = current.get(item.menu)
            if best is None or len(item.match_prefix or item.url) > len(
                best.match_prefix or best.url
            ):
                current[item.menu] = item
    return {
        "nav_items": [(i, i is current.get(MAIN)) for i in items if i.menu == MAIN],
        "account_items": [
            (i, i is current.get(ACCOUNT)) for i in items if i.menu == ACCOUNT
        ],
        "wikimedia_sign_in": wikimedia_sign_in_enabled(),
    }


def language_home() -> str:
    language = get_language()
    return "/" if language == settings.LANGUAGE_CODE else f"/{language}/"


def public_items(request) -> list[NavItem]:
    """Open to everyone: the stories; the staff and editors' admin sites."""
    home = language_home()
    items = [NavItem(_("Stories"), f"{home}stories/", order=20)]
    user = request.user
    if user.is_authenticated:
        items.append(NavItem(_("Home"), reverse("home"), order=10))
    if user.is_authenticated and user.is_staff:
        items.append(NavItem(_("Admin site"), reverse("admin:index"), order=90))
    if user.is_authenticated and (
        user.is_staff or user.has_perm("wagtailadmin.access_admin")
    ):
        items.append(NavItem(_("Editorial"), reverse("wagtailadmin_home"), order=91))
    return items
