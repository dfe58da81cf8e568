"""Figures computed from the help-request records, never typed in."""

import logging
from collections import defaultdict
from datetime import timedelta
from statistics import median

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import get_language

from helpdesk.choices import Category
from helpdesk.models.requests import HelpEvent, HelpRequest

logger = logging.getLogger(__name__)
Kind = HelpEvent.Kind
# A day at most: a stale month boundary never outlives this even if nothing changes.
FIGURES_CACHE_SECONDS = 24 * 3600


def _hours(values: list[timedelta]) -> float | None:
    if not values:
        return None
    return round(median(v.total_seconds() for v in values) / 3600, 1)


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _version() -> str:
    """A key that changes whenever the records the figures read change (one query).

    Requests and events are only added, removed (purge) or moved between states, which
    always adds an event; the counts, highest ids and the latest request update catch each
    of these.
    """
    row = HelpRequest.objects.order_by().aggregate(
        requests=Count("id"), last_request=Max("id"), updated=Max("updated_at")
    )
    events = HelpEvent.objects.order_by().aggregate(events=Count("id"), last_event=Max("id"))
    updated = row["updated"].isoformat() if row["updated"] else ""
    return (
        f"{row['requests']}-{row['last_request']}-{updated}-"
        f"{events['events']}-{events['last_event']}"
    )


def help_figures() -> dict:
    """Return the figures, from the cache while no request or event has changed.

    Two aggregate queries decide whether the cached figures still hold (``_version``); only
    a change recomputes them (``compute_help_figures``). The month boundaries follow the
    local time zone, which is part of the key.
    """
    key = f"helpdesk:figures:{settings.TIME_ZONE}:{get_language()}:{_version()}"
    try:
        figures = cache.get(key)
    except Exception:
        # A shared cache that does not answer (Redis down) never breaks the page: count afresh.
        logger.warning("help figures: the cache did not answer; counting afresh", exc_info=True)
        return compute_help_figures()
    if figures is None:
        figures = compute_help_figures()
        try:
            cache.set(key, figures, timeout=FIGURES_CACHE_SECONDS)
        except Exception:
            logger.warning("help figures: the cache did not answer", exc_info=True)
    return figures


def compute_help_figures() -> dict:
    """Return the headline figures, and received/solved counts by month and by category.

    Reads two narrow queries (requests, the events that matter) and counts in Python;
    fine for tens of thousands of requests, but it reads them all: call ``help_figures``.
    """
    requests = {
        row["id"]: row
        for row in HelpRequest.objects.values("id", "category", "created_at").order_by()
    }
    first_transfer, first_resolved, follow_ups = {}, {}, {}
    events = (
        HelpEvent.objects.filter(
            kind__in=[
                Kind.TRANSFERRED,
                Kind.ESCALATED,
                Kind.RESOLVED,
                Kind.FOLLOWED_UP,
                Kind.REOPENED,
            ]
        )
        .order_by("created_at", "id")
        .values_list("request_id", "kind", "created_at", "satisfied")
    )
    for request_id, kind, at, satisfied in events:
        if kind in (Kind.TRANSFERRED, Kind.ESCALATED):
            first_transfer.setdefault(request_id, at)
        elif kind == Kind.RESOLVED:
            first_resolved.setdefault(request_id, at)
        else:
            # The latest call back counts: a reopened, then satisfied driver is satisfied.
            follow_ups[request_id] = bool(satisfied)

    by_month = defaultdict(lambda: {"received": 0, "solved": 0})
    by_category = {
        value: {"label": label, "received": 0, "solved": 0} for value, label in Category.choices
    }
    for request_id, row in requests.items():
        month = timezone.localtime(row["created_at"]).strftime("%Y-%m")
        by_month[month]["received"] += 1
        by_category[row["category"]]["received"] += 1
        if request_id in first_resolved:
            by_month[month]["solved"] += 1
            by_category[row["category"]]["solved"] += 1

    solved = len(first_resolved)
    satisfied = sum(1 for value in follow_ups.values() if value)
    return {
        "received": len(requests),
        "solved": solved,
        "followed_up": len(follow_ups),
        "median_hours_to_transfer": _hours(
            [at - requests[rid]["created_at"] for rid, at in first_transfer.items()]
        ),
        "median_hours_to_resolve": _hours(
            [at - requests[rid]["created_at"] for rid, at in first_resolved.items()]
        ),
        "followed_up_percent": _percent(len(follow_ups), solved),
        "satisfied_percent": _percent(satisfied, len(follow_ups)),
        "legal_consultations": by_category[Category.LEGAL]["received"],
        "by_month": sorted(
            ({"month": k, **v} for k, v in by_month.items()), key=lambda r: r["month"], reverse=True
        ),
        "by_category": list(by_category.values()),
    }
