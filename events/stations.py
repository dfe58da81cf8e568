"""What care events add to the stations app: a section on station pages, the map's next event.

Registered with ``stations.extensions`` in ``EventsConfig.ready()``.
"""

from typing import Any

from events.models import Event

STATION_PAGE_LIMIT = 5


def upcoming_at_station(station) -> list[Event]:
    """The next published events held at ``station`` (one query)."""
    return list(Event.objects.upcoming_at(station).for_display()[:STATION_PAGE_LIMIT])


def next_event_properties(station_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Map each station id to a ``next_event`` GeoJSON property, for the map's popups."""
    grouped = Event.objects.upcoming_by_station(station_ids, limit=1)
    return {
        pk: {
            "next_event": {
                "title": event.title,
                "starts": event.starts_at.isoformat(),
                "status": event.status,
                "url": event.get_absolute_url(),
            }
        }
        for pk, (event, *_later) in grouped.items()
    }


def register() -> None:
    from stations import extensions

    extensions.register_panel("sections", "events/_station_events.html", upcoming_at_station)
    extensions.register_feed_properties(next_event_properties)
