"""Main-menu entries of this app (see portal/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from affiliates.permissions import member_affiliate_ids
from portal.navigation import NavItem


def items(request) -> list:
    """ "My stories" for members of an affiliate (they write its stories)."""
    if not member_affiliate_ids(request.user):
        return []
    return [NavItem(_("My stories"), reverse("cms:my_stories"), order=25)]
