"""Main-menu entries of this app (see portal/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem

from . import permissions


def items(request) -> list:
    result = [NavItem(_("Funded grants"), reverse("grants:funded"), order=15)]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Their affiliates' proposals, and those open for comments.
        url = reverse("grants:proposals")
        result.append(NavItem(_("Proposals"), url, order=25))
        if permissions.has_review_work(user):
            result.append(NavItem(_("Reviews"), reverse("grants:reviews"), order=27))
        if permissions.has_any_committee_seat(user):
            url = reverse("grants:committee")
            result.append(NavItem(_("Committee"), url, order=40))
        if permissions.can_use_staff_pages(user):
            url = reverse("grants:staff_inbox")
            result.append(NavItem(_("Staff inbox"), url, order=89))
    return result
