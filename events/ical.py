"""iCalendar (RFC 5545) output for care events, built with the icalendar library.

Each event keeps its UUID as UID, so a subscribed phone updates its copy instead of adding a
second one; SEQUENCE is the event's revision, raised on every change; times carry the TZID
of the local time zone (settings.TIME_ZONE) with the matching VTIMEZONE, or are UTC ("Z")
when that zone is UTC; a cancelled event stays in the feed with STATUS:CANCELLED so
calendars strike it out rather than silently keeping the old notice.
"""

from datetime import UTC

import icalendar
from icalendar.timezone import is_utc

from events.models import Event
from portal.lib.timezone import local_tz, local_tz_name

PRODID = "-//Driver Home Fangchenggang//Care events//ZH"
UID_DOMAIN = "driverhome.fcg"

ICAL_STATUS = {
    Event.Status.SCHEDULED: "CONFIRMED",
    Event.Status.POSTPONED: "TENTATIVE",
    Event.Status.CANCELLED: "CANCELLED",
}


def event_uid(event: Event) -> str:
    return f"{event.uid}@{UID_DOMAIN}"


def _vevent(event: Event, request) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", event.updated_at.astimezone(UTC))
    vevent.add("created", event.created_at.astimezone(UTC))
    vevent.add("last-modified", event.updated_at.astimezone(UTC))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstart", event.local_starts_at)
    vevent.add("dtend", event.local_ends_at)
    vevent.add("summary", event.status_title)
    description = event.description
    if event.status_note:
        description = f"{event.status_note}\n\n{description}".strip()
    if event.postponement:
        description = f"{event.postponement}\n\n{description}".strip()
    if description:
        vevent.add("description", description)
    if event.venue_name:
        vevent.add("location", event.venue_name)
    if event.station_id:
        vevent.add("geo", (event.station.latitude, event.station.longitude))
    vevent.add("status", ICAL_STATUS[event.status])
    vevent.add("categories", [event.get_kind_display()])
    vevent.add("url", request.build_absolute_uri(event.get_absolute_url()))
    return vevent


def calendar_bytes(events, *, request, name: str) -> bytes:
    """Return an iCalendar document holding ``events`` (with station and organisation joined)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", local_tz_name())
    for event in events:
        calendar.add_component(_vevent(event, request))
    # VTIMEZONE for the local zone, generated from the tz database by icalendar; an empty
    # calendar still names it. UTC times are written with "Z" and need none.
    calendar.add_missing_timezones()
    if not calendar.timezones and not is_utc(local_tz()):
        calendar.add_component(icalendar.Timezone.from_tzid(local_tz_name()))
    return calendar.to_ical()
