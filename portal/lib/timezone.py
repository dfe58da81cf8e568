"""The one local time zone: ``settings.TIME_ZONE``, for every date the portal shows or counts.

Opening hours, event times, help-request deadlines, calendar files and the map's popups all
follow this zone; nothing names a zone of its own. Django clears its cached default zone when
``TIME_ZONE`` changes (tests override it), so these helpers always see the current setting.
"""

from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone


def local_tz() -> tzinfo:
    """The configured local time zone (a ``zoneinfo.ZoneInfo`` of ``settings.TIME_ZONE``)."""
    return timezone.get_default_timezone()


def local_tz_name() -> str:
    """The IANA name of the local time zone, as written in ``settings.TIME_ZONE``."""
    return timezone.get_default_timezone_name()


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the aware start of ``day`` and of the next day, in the local time zone."""
    zone = local_tz()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
