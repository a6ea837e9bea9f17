"""Main-menu entries of this app (see portal/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem


def items(request) -> list:
    return [NavItem(_("Affiliates"), reverse("affiliates:directory"), order=16)]
