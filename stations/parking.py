"""Truck parking right now: what a report says, how old it is, and when it fades.

A figure without its age is worse than none: every display carries the age, and a report
older than ``settings.PARKING_FRESH_MINUTES`` is shown as "unknown" so nobody drives to a
stale "plenty". The newest report wins, whoever made it: the station's own report
outranks older driver reports, and a driver's report after it is newer still.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, ngettext

UNKNOWN = "unknown"


def fresh_since(now: datetime | None = None) -> datetime:
    """Reports made at or after this moment are fresh."""
    return (now or timezone.now()) - timedelta(minutes=settings.PARKING_FRESH_MINUTES)


def age_label(reported_at: datetime, now: datetime) -> str:
    """Say how old a report is: "just now", "12 min ago", "3 h ago"."""
    minutes = max(0, int((now - reported_at).total_seconds() // 60))
    if minutes < 1:
        return gettext("just now")
    if minutes < 60:
        return ngettext("%(count)d min ago", "%(count)d min ago", minutes) % {"count": minutes}
    hours = minutes // 60
    return ngettext("%(count)d h ago", "%(count)d h ago", hours) % {"count": hours}


@dataclass(frozen=True)
class ParkingNow:
    """Parking at a station as a driver should read it at ``now``."""

    level: str  # plenty / few / full, or "unknown" when there is no fresh report
    free: int | None
    source: str  # station / drivers, or "" when unknown
    reported_at: datetime | None
    age: str  # "12 min ago"; also given for a faded report, so the page can say how old
    fresh: bool

    @property
    def known(self) -> bool:
        return self.level != UNKNOWN

    @property
    def label(self) -> str:
        from .models import ParkingLevel

        if not self.known:
            return gettext("Parking: unknown")
        if self.free is not None and self.level != ParkingLevel.FULL:
            return ngettext(
                "%(count)d truck space free", "%(count)d truck spaces free", self.free
            ) % {"count": self.free}
        return str(ParkingLevel(self.level).label)

    @property
    def source_label(self) -> str:
        from .models import ReportSource

        if self.source == ReportSource.STATION:
            return gettext("reported by the station")
        if self.source == ReportSource.DRIVERS:
            return gettext("reported by drivers")
        return ""


def parking_now(station, now: datetime | None = None) -> ParkingNow:
    """Return the parking a driver should see for ``station`` (no query)."""
    now = now or timezone.now()
    reported_at = station.parking_reported_at
    if not station.parking_level or reported_at is None:
        return ParkingNow(UNKNOWN, None, "", None, "", False)
    age = age_label(reported_at, now)
    if reported_at < fresh_since(now):
        return ParkingNow(UNKNOWN, None, "", reported_at, age, False)
    return ParkingNow(
        station.parking_level, station.parking_free, station.parking_source, reported_at, age, True
    )


def not_full(station, now: datetime | None = None) -> bool:
    """Tell whether a truck may find a space now (the rule of
    ``Station.objects.parking_not_full``, for one station, without a query)."""
    parking = parking_now(station, now)
    if parking.known:
        return parking.level != "full"
    return bool(station.truck_parking_spaces)


def feed_parking(station, now: datetime) -> dict:
    """The feed's parking properties: level (or "unknown"), free spaces, source, time, and
    whether the map's "parking not full" filter keeps the station."""
    parking = parking_now(station, now)
    return {
        "parking_not_full": not_full(station, now),
        "parking": parking.level,
        "parking_free": parking.free,
        "parking_source": parking.source,
        "parking_at": parking.reported_at.isoformat()
        if parking.fresh and parking.reported_at
        else None,
    }
