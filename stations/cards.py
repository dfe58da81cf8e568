"""Station cards from the shared cache: rendered once per station, language and minute.

The list and nearby pages show the same card for a station whoever asks and from wherever:
only the distance differs. A card is therefore rendered without it (a placeholder stands
where the distance goes), stored in the shared cache with the data version and the local
minute it was rendered in, and reused while both are current: a write of station data or
the next minute (open now) renders it again. One round trip fetches the version and every
card of a page; only the stations whose card is missing have their amenities and hours
loaded (two queries) and their card rendered. Labels (kind, road, amenities, open now) are
worked out inside the card, so once per station and language, not per request. Each
process keeps a copy of the cards it has seen (``portal.lib.fragments``), so a page asks the
shared cache only for the data version and the cards it lacks.

The card template stays a Django template (``stations/_station_card.html``): the cache,
not a faster engine, removes its cost from the hot path (docs/performance.md).
"""

from typing import Any

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.lib import dataversion, fragments, sharing

from .parking import parking_now
from .querysets import NearbyHit, display_prefetches
from .templatetags.i18n_content import place_name

# Stands where the distance goes: private-use characters, never in station data, and left
# as they are by HTML escaping.
DISTANCE = "\ue000distance\ue000"
# A card can only be used within its own minute; kept a little longer than that.
STORE_SECONDS = 120


def _key(pk: int, language: str, distance: bool) -> str:
    # The release too: a card rendered by the previous release's template is not this one's.
    release = sharing.static_release()
    return f"card:{release}:{language}:{'d' if distance else 'n'}:{pk}"


def prepare(stations, now) -> list:
    """Work out what a card shows that is not in the row: open now, opening label, URL."""
    # One reverse() for the whole page: it is slow under the language prefixes.
    pattern = reverse("stations:detail", kwargs={"slug": "__slug__"})
    for station in stations:
        station.is_open = station.is_open_at(now)
        station.opens_label = "" if station.is_open else station.next_opening_label(now)
        station.amenity_rows = list(station.amenities.all())
        station.parking = parking_now(station, now)
        station.url = pattern.replace("__slug__", station.slug)
    return stations


def cards(
    stations, *, now=None, distance: bool = False, also: dict[str, Any] | None = None
) -> list[SafeString]:
    """Return the card HTML of each station, in order, from the cache where current.

    With ``distance``, each station's ``distance_label`` goes into its card. Sets
    ``is_open``, ``url`` and ``name_html`` (its name as ``place_name`` shows it) on every
    station: the nearby page's "nearest open" needs them.
    ``stations`` may be nearby's hits (``NearbyHit``): a hit's station is built only if its
    card must be rendered.
    ``also`` names other entries to fetch in the same round trip (the nearby page's shell):
    each gets its current entry (or None), and ``VERSION_KEY`` the data version.
    """
    now = now or timezone.now()
    stations = list(stations)
    if not settings.PAGE_CACHE:
        return _render_for(stations, now, distance, fill=True)
    language = translation.get_language()
    minute = timezone.localtime(now).strftime("%Y%m%d%H%M")
    keys = [_key(s.pk, language, distance) for s in stations]
    extra = [key for key in also or () if key != dataversion.VERSION_KEY]
    version, found = fragments.fetch([*keys, *extra], minute)
    if also is not None:
        also.update({key: found.get(key) for key in extra})
        also[dataversion.VERSION_KEY] = version
    html: dict[int, str] = {}
    for station, key in zip(stations, keys, strict=True):
        entry = found.get(key)
        if entry:
            html[station.pk] = entry["html"]
            station.is_open, station.url = entry["is_open"], entry["url"]
            station.name_html = mark_safe(entry["name"])  # noqa: S308 (place_name's HTML)
    missing = [s for s in stations if s.pk not in html]
    if missing:
        fresh = {}
        rendered = _render_for(missing, now, distance, fill=False)
        for station, card in zip(missing, rendered, strict=True):
            html[station.pk] = card
            fresh[_key(station.pk, language, distance)] = {
                "version": version,
                "minute": minute,
                "html": html[station.pk],
                "is_open": station.is_open,
                "url": station.url,
                "name": str(station.name_html),
            }
        if version:
            fragments.store(fresh, STORE_SECONDS)
    return [_with_distance(html[s.pk], s, distance) for s in stations]


def _render_for(items, now, distance: bool, *, fill: bool) -> list:
    """Render the cards of ``items`` (stations or nearby's hits); sets ``is_open``, ``url``
    and ``name_html`` on each item."""
    stations = [item.station if isinstance(item, NearbyHit) else item for item in items]
    for item, station in zip(items, stations, strict=True):
        if item is not station and hasattr(item, "distance_label"):
            station.distance_label = item.distance_label
    rendered = _render(stations, now, distance, fill=fill)
    for item, station in zip(items, stations, strict=True):
        item.is_open, item.url = station.is_open, station.url
        item.name_html = place_name(station)
    return rendered


def _render(stations, now, distance: bool, *, fill: bool = True) -> list:
    """Render the cards of ``stations`` (loading their amenities and hours: two queries).

    With ``fill`` the distance is written in; without, the placeholder stays for the cache.
    """
    prefetch_related_objects(stations, *display_prefetches())
    prepare(stations, now)
    rendered = []
    for station in stations:
        label = getattr(station, "distance_label", "")
        station.distance_label = DISTANCE if distance else ""
        card = render_to_string("stations/_station_card.html", {"station": station})
        station.distance_label = label
        rendered.append(_with_distance(card, station, distance) if fill else card)
    return rendered


def _with_distance(card: str, station, distance: bool) -> SafeString:
    if distance:
        card = card.replace(DISTANCE, escape(getattr(station, "distance_label", "")))
    return mark_safe(card)  # noqa: S308 (rendered by the card template, the label escaped)
