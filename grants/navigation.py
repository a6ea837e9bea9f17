"""Main-menu entries of this app (see portal/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem


def items(request) -> list:
    return [NavItem(_("Funded grants"), reverse("grants:funded"), order=15)]
