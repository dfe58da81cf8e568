"""Reads of care events and visits: what is public, upcoming, in the feeds, and who may edit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.utils import timezone

from accounts.permissions import covered_organisation_ids, is_organizer, is_superuser
from portal.lib.timezone import local_day_bounds

if TYPE_CHECKING:
    from events.models import Event

# How far back the public list and the feeds reach for past events.
RECENT_PAST = timedelta(days=180)

_QS = TypeVar("_QS", bound=models.QuerySet[Any])


def organizer_scope(queryset: _QS, user: Any) -> _QS:
    """The gatekeeper of rows with an ``organisation``: all for superusers, the organisations
    (and sub-organisations) an organizer works for, nothing for anyone else."""
    if is_superuser(user):
        return queryset
    if not is_organizer(user):
        return queryset.none()
    return queryset.filter(organisation_id__in=covered_organisation_ids(user))


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> EventQuerySet:
        """Events anyone may see, cancelled and postponed ones included."""
        return self.filter(published=True)

    def for_display(self) -> EventQuerySet:
        """Join what every listing shows: the venue station and the organisation."""
        return self.select_related("station", "organisation")

    def upcoming(self, now: datetime | None = None) -> EventQuerySet:
        """Published events not yet over, soonest first."""
        now = now or timezone.now()
        return self.published().filter(ends_at__gte=now).order_by("starts_at", "pk")

    def recent_past(self, now: datetime | None = None) -> EventQuerySet:
        """Published events over within RECENT_PAST, latest first."""
        now = now or timezone.now()
        return (
            self.published()
            .filter(ends_at__lt=now, ends_at__gte=now - RECENT_PAST)
            .order_by("-starts_at", "-pk")
        )

    def in_feed(self, now: datetime | None = None) -> EventQuerySet:
        """Published events for the calendar and news feeds: upcoming and recent past."""
        now = now or timezone.now()
        return self.published().filter(ends_at__gte=now - RECENT_PAST)

    def on_local_day(self, day: date) -> EventQuerySet:
        """Events that start on ``day`` in the local time zone (TIME_ZONE)."""
        start, end = local_day_bounds(day)
        return self.filter(starts_at__gte=start, starts_at__lt=end)

    def upcoming_at(self, station: Any, now: datetime | None = None) -> EventQuerySet:
        """Published upcoming events held at ``station``, soonest first."""
        return self.upcoming(now).filter(station=station)

    def upcoming_by_station(
        self, station_ids: Iterable[int], *, limit: int = 3, now: datetime | None = None
    ) -> dict[int, list[Event]]:
        """Map each station id to its next ``limit`` published events, in one query."""
        grouped: dict[int, list[Event]] = {}
        rows = self.upcoming(now).filter(station_id__in=list(station_ids)).for_display()
        for event in rows.order_by("station_id", "starts_at", "pk"):
            if event.station_id is None:
                continue
            bucket = grouped.setdefault(event.station_id, [])
            if len(bucket) < limit:
                bucket.append(event)
        return grouped

    def editable_by(self, user: Any) -> EventQuerySet:
        """The gatekeeper: events ``user`` may edit (organizers: their organisations)."""
        return organizer_scope(self, user)


# Over Any rather than "Visit": django-stubs (5.x) leaves that name unresolved through the
# models <-> querysets import cycle, while "Event" resolves.
class VisitQuerySet(models.QuerySet[Any]):
    def total_person_times(self) -> int:
        """Sum the person-times of these visits (0 when there are none), in one query."""
        total: int | None = self.aggregate(total=models.Sum("person_times"))["total"]
        return total or 0

    def editable_by(self, user: Any) -> VisitQuerySet:
        """The gatekeeper: visits ``user`` may see and edit (organizers: their organisations)."""
        return organizer_scope(self, user)
