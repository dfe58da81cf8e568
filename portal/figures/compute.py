"""The public figures: counted from every app's records, never typed in.

``public_figures()`` composes the apps' own counts (help requests through
``helpdesk.figures``, party members through ``members.figures``, which hands out suppressed
aggregates only) with per-month counts of care visits, events and micro-wishes for the
last 12 months. The result is cached under a data version that any save or delete of a
counted model bumps (``portal.apps``), so the page is recomputed only after a change.
"""

import logging
import uuid
from collections import Counter
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils import timezone

from events.models import Event, EventStatus, Visit
from helpdesk.figures import compute_help_figures, help_figures
from helpdesk.models import Wish
from members.figures import member_figures
from portal.lib.ratelimit import CACHE_DOWN
from stations.models import Station

logger = logging.getLogger("portal.figures")

VERSION_KEY = "figures:version"
# Saving or deleting any of these starts a new data version (see ``portal.apps``).
COUNTED_MODELS = [
    "stations.Station",
    "helpdesk.HelpRequest",
    "helpdesk.HelpEvent",
    "helpdesk.Wish",
    "events.Event",
    "events.Visit",
    "members.PartyMembership",
    "members.Person",
    "members.Enterprise",
    "accounts.Organisation",
]
CACHE_SECONDS = 3600
MONTHS = 12


def months_back(today: date, count: int = MONTHS) -> list[str]:
    """Return the ``count`` months up to and including ``today``'s, oldest first ("2026-01")."""
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _month(value) -> str:
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"{value.year:04d}-{value.month:02d}"


def _series(months: list[str], counts: Counter) -> list[dict[str, Any]]:
    return [{"month": month, "value": counts.get(month, 0)} for month in months]


def figures_compute(today: date | None = None) -> dict[str, Any]:
    """Count everything the public page shows (about a dozen narrow queries)."""
    today = today or timezone.localdate()
    months = months_back(today)
    now = timezone.now()
    stations = Station.objects.published().order_by()
    by_kind = dict(stations.values_list("kind").annotate(n=Count("pk")))
    by_route = dict(stations.values_list("route").annotate(n=Count("pk")))

    try:
        helps = help_figures()
    except CACHE_DOWN:
        helps = compute_help_figures()
    help_received = Counter({row["month"]: row["received"] for row in helps["by_month"]})
    help_solved = Counter({row["month"]: row["solved"] for row in helps["by_month"]})

    visit_times: Counter = Counter()
    for day, times in Visit.objects.order_by().values_list("date", "person_times"):
        visit_times[_month(day)] += times

    held = Event.objects.published().filter(ends_at__lt=now).exclude(status=EventStatus.CANCELLED)
    events_held: Counter = Counter()
    reached: Counter = Counter()
    for starts_at, people in held.order_by().values_list("starts_at", "people_reached"):
        events_held[_month(starts_at)] += 1
        reached[_month(starts_at)] += people or 0

    fulfilled = Wish.objects.filter(state=Wish.State.FULFILLED, fulfilled_at__isnull=False)
    wishes: Counter = Counter(_month(at) for at in fulfilled.values_list("fulfilled_at", flat=True))

    return {
        "months": months,
        "stations": {
            "total": sum(by_kind.values()),
            "by_kind": [
                {"code": code, "value": by_kind[code]}
                for code, _label in Station.Kind.choices
                if by_kind.get(code)
            ],
            "by_route": [
                {"code": code, "value": by_route.get(code, 0)}
                for code, _label in Station.Route.choices
            ],
        },
        "help": {
            "received": helps["received"],
            "solved": helps["solved"],
            "followed_up": helps["followed_up"],
            "followed_up_percent": helps["followed_up_percent"],
            "satisfied_percent": helps["satisfied_percent"],
            "median_hours_to_transfer": helps["median_hours_to_transfer"],
            "median_hours_to_resolve": helps["median_hours_to_resolve"],
            "legal_consultations": helps["legal_consultations"],
            "received_by_month": _series(months, help_received),
            "solved_by_month": _series(months, help_solved),
        },
        "visits": {
            "person_times": Visit.objects.total_person_times(),
            "by_month": _series(months, visit_times),
        },
        "events": {
            "held": sum(events_held.values()),
            "people_reached": held.aggregate(n=Sum("people_reached"))["n"] or 0,
            "by_month": _series(months, events_held),
            "reached_by_month": _series(months, reached),
        },
        "wishes": {
            "fulfilled": sum(wishes.values()),
            "by_month": _series(months, wishes),
        },
        "members": member_figures(),
    }


def figures_version() -> str:
    """Return the current data version, starting one when the cache has none."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY, version)
    return version


def figures_invalidate(**_kwargs) -> None:
    """Start a new data version: the next page view recomputes (a signal receiver).

    Runs inside every save of a counted record (a driver's help request included), so a
    shared cache that does not answer must not fail the save: the stale figures then
    live at most ``CACHE_SECONDS``.
    """
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except CACHE_DOWN:
        logger.warning("shared cache unavailable; the figures' data version was not bumped")


def public_figures() -> dict[str, Any]:
    """Return the figures, from the cache while no counted record has changed.

    Without a cache that answers, they are counted afresh for each view.
    """
    today = timezone.localdate()
    try:
        key = f"figures:data:{figures_version()}:{today.isoformat()}"
        data = cache.get(key)
    except CACHE_DOWN:
        logger.warning("shared cache unavailable; the figures are counted afresh")
        return figures_compute(today)
    if data is None:
        data = figures_compute(today)
        try:
            cache.set(key, data, CACHE_SECONDS)
        except CACHE_DOWN:
            logger.warning("shared cache unavailable; the figures were not kept")
    return data
