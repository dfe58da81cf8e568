"""Hooks through which other apps add to station pages, map popups and the GeoJSON feed.

``stations`` imports no other domain app. An app that has something to say about a station
(the next care event, an "ask for help here" link) registers it here from its
``AppConfig.ready()``; stations works, and is tested, with nothing registered.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

Slot = Literal["actions", "sections"]


@dataclass(frozen=True)
class Panel:
    """A partial template shown on a station page, with the data it needs."""

    template: str
    data: Any = None


# slot -> (template, data loader); the loader gets the station and returns the partial's data.
_panels: dict[str, list[tuple[str, Callable[[Any], Any]]]] = {"actions": [], "sections": []}
# Each provider maps station ids to extra GeoJSON properties for those stations.
_feed_properties: list[Callable[[list[int]], dict[int, dict[str, Any]]]] = []


def register_panel(slot: Slot, template: str, load: Callable[[Any], Any] = lambda station: None):
    """Show ``template`` in ``slot`` of every station page ("actions" or "sections")."""
    if (template, load) not in _panels[slot]:
        _panels[slot].append((template, load))


def register_feed_properties(provider: Callable[[list[int]], dict[int, dict[str, Any]]]):
    """Add the properties ``provider(station_ids)`` returns to the features of the feed.

    The provider is called once per feed with every station id: keep it to one query.
    """
    if provider not in _feed_properties:
        _feed_properties.append(provider)


def panels_for(station) -> dict[str, list[Panel]]:
    """Return the registered panels of each slot, with their data loaded for ``station``."""
    return {
        slot: [Panel(template, load(station)) for template, load in entries]
        for slot, entries in _panels.items()
    }


def feed_properties(station_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Merge the extra feed properties of every provider, by station id."""
    ids = list(station_ids)
    merged: dict[int, dict[str, Any]] = {}
    for provider in _feed_properties:
        for pk, properties in provider(ids).items():
            merged.setdefault(pk, {}).update(properties)
    return merged


# Other map layers (name, URL name of a GeoJSON feed taking ``lang``), drawn by the map script.
_map_layers: list[tuple[str, str]] = []


def register_map_layer(name: str, url_name: str):
    """Draw the features of the feed at ``reverse(url_name)`` on the station map.

    Features are drawn with the marker class ``marker-<name>``; their ``name`` and ``url``
    properties make the popup.
    """
    if (name, url_name) not in _map_layers:
        _map_layers.append((name, url_name))


def map_layers() -> list[tuple[str, str]]:
    return list(_map_layers)
