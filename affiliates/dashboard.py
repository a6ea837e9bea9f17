"""Panels of the affiliate dashboard that other apps contribute.

`affiliates` knows nothing of grants or stories (docs/architecture.md), yet the
members' dashboard shows the affiliate's proposals, grant reports and stories. As with
the main navigation (portal/navigation.py), `settings.PORTAL_DASHBOARD_PANELS` lists
dotted paths of functions `panel(request, affiliate) -> Panel | None`, in the order
they are shown, e.g. `grants.dashboard.proposals`. A panel loads through its own app's
permission and reader rules, with a fixed number of queries.
"""

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@cache
def _providers():
    return [import_string(path) for path in settings.PORTAL_DASHBOARD_PANELS]


def panels(request, affiliate) -> list[Panel]:
    found = []
    for order, provider in enumerate(_providers()):
        panel = provider(request, affiliate)
        if panel is not None:
            panel.order = (order + 1) * 10
            found.append(panel)
    return found
