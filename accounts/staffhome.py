"""The staff home (``/staff/``): each app adds what a person must see there.

Accounts knows no domain, so the domain apps register panels from their
``AppConfig.ready()`` (``helpdesk/staff_home.py``, ``events/staff_home.py``, …). A panel is a
template and a function that returns its context for a request, or ``None`` when the panel
is not for this person (their role does not cover it). Each panel's function must run a
fixed number of queries, whatever the number of rows (``tests/accounts/test_staff_home.py``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    key: str
    order: int
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]


_PANELS: dict[str, Panel] = {}


def register_panel(
    key: str,
    *,
    template: str,
    context: Callable[[HttpRequest], dict[str, Any] | None],
    order: int = 50,
) -> None:
    """Add (or replace, for the same ``key``) a panel of the staff home."""
    _PANELS[key] = Panel(key=key, order=order, template=template, context=context)


def panels_for(request: HttpRequest) -> list[dict[str, Any]]:
    """Return the panels for ``request.user`` in order: ``template`` and ``context`` each."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown
