"""Deadlines said the way the night shift reads them: "overdue 3 h", "due in 40 min"."""

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext, ngettext

register = template.Library()


def _span(minutes: int) -> str:
    """Say ``minutes`` in the largest unit that reads well: minutes, hours, then days."""
    if minutes < 60:
        return ngettext("%(n)d min", "%(n)d min", minutes) % {"n": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(n)d h", "%(n)d h", hours) % {"n": hours}
    days = hours // 24
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def due_phrase(due_at: datetime | None, now: datetime | None = None) -> str:
    """Return "overdue 3 h" or "due in 40 min" for ``due_at``; empty without a deadline."""
    if due_at is None:
        return ""
    now = now or timezone.now()
    minutes = int(abs((due_at - now).total_seconds()) // 60)
    if due_at < now:
        return gettext("overdue %(span)s") % {"span": _span(minutes)}
    return gettext("due in %(span)s") % {"span": _span(minutes)}


@register.filter(name="due_phrase")
def due_phrase_filter(due_at, now=None):
    return due_phrase(due_at, now)
