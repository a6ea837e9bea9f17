"""Main-menu entries of this app (see portal/navigation.py)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.navigation import NavItem

from .models import Affiliate
from .permissions import can_view_compliance_overview, member_affiliate_ids

# More than this and the directory is the better way in: the menu stays short.
MENU_AFFILIATES = 3


def items(request) -> list:
    result = [NavItem(_("Affiliates"), reverse("affiliates:directory"), order=16)]
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return result
    if can_view_compliance_overview(user):
        result.append(
            NavItem(_("Compliance"), reverse("affiliates:compliance"), order=85)
        )
    ids = member_affiliate_ids(user)
    if not ids:
        return result
    mine = Affiliate.objects.filter(pk__in=ids).order_by("name")
    for affiliate in mine.only("name", "slug")[:MENU_AFFILIATES]:
        url = reverse("affiliates:dashboard", args=[affiliate.slug])
        prefix = reverse("affiliates:profile", args=[affiliate.slug])
        result.append(NavItem(affiliate.name, url, order=30, match_prefix=prefix))
    return result
