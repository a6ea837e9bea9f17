"""Panels of the affiliate dashboard that other apps contribute.

`affiliates` knows nothing of grants or stories (docs/architecture.md), yet the
members' dashboard shows the affiliate's proposals, grant reports and stories. Each
app that has something to show writes `<app>/dashboard.py` with

    from affiliates.dashboard import Panel, register

    @register(order=10)
    def proposals(request, affiliate) -> Panel | None: ...

The modules are found like admin.py files (`autodiscover_modules`). A panel loads
through its own app's permission and reader rules, with a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


_PANELS: list[tuple[int, Callable]] = []
_discovered = False


def register(order: int = 100):
    def decorator(function):
        _PANELS.append((order, function))
        return function

    return decorator


def panels(request, affiliate) -> list[Panel]:
    global _discovered
    if not _discovered:
        autodiscover_modules("dashboard")
        _discovered = True
    found = []
    for order, function in sorted(_PANELS, key=lambda item: item[0]):
        panel = function(request, affiliate)
        if panel is not None:
            panel.order = order
            found.append(panel)
    return found
