import json
import math

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Min
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from portal.lib import dataversion, fragments
from portal.lib.jsonscript import script_json

from . import cards, extensions, feeds, geo, shell
from .forms import FeedForm, NearbyForm, StationFilterForm
from .models import Amenity, RouteLine, Station, StationAmenity
from .navigation import navigation_links
from .parking import parking_now
from .querysets import published_nearest_hits
from .templatetags.i18n_content import place_name

PAGE_SIZE = 20
# How long the map page keeps the stations' extent (where the map opens).
EXTENT_SECONDS = 300


def _filter_context(request, form_class):
    """Bind the filter form to the query string; an invalid one answers 400.

    The amenities are read when first used: a nearby page from its cached shell with no
    amenity asked for never needs them.
    """
    amenities = SimpleLazyObject(lambda: list(Amenity.objects.all()))
    form = form_class(request.GET or None, amenities=amenities)
    valid = form.is_valid() if form.is_bound else True
    return form, valid, amenities


def _filter_values(request, amenities) -> dict:
    """What the filter inputs show: the query as typed, drawn by hand for speed.

    Rendering fifteen checkbox widgets through the form renderer cost more than the
    whole database work of a page.
    """
    get = request.GET
    active = [
        get.get("q", "").strip(),
        get.get("route"),
        get.get("district"),
        get.get("open_now"),
        get.get("parking"),
    ]
    return {
        # How many filters are set, shown on the folded panel's control.
        "active_filters": sum(1 for value in active if value) + len(set(get.getlist("amenity"))),
        "filters": {
            "q": get.get("q", ""),
            "amenity": set(get.getlist("amenity")),
            "route": get.get("route", ""),
            "district": get.get("district", ""),
            "open_now": bool(get.get("open_now")),
            "parking": bool(get.get("parking")),
        },
        "route_choices": [("", _("Any route")), *Station.Route.choices],
        "district_choices": [("", _("Any district")), *Station.District.choices],
    }


@require_safe
def station_list(request):
    form, valid, amenities = _filter_context(request, StationFilterForm)
    queryset = Station.objects.published()
    if valid and form.is_bound:
        queryset = form.filter(queryset)
    elif not valid:
        queryset = queryset.none()
    after = _station_after(request)
    # One row more than a page tells whether there is a next page; no COUNT, no OFFSET.
    rows = list(queryset.in_driver_order(after=after)[: PAGE_SIZE + 1])
    stations = rows[:PAGE_SIZE]
    query = _query_without_page(request)
    context = {
        "form": form,
        "stations": stations,
        # Amenities and hours are loaded only for cards the cache lacks (stations.cards).
        "cards": cards.cards(stations),
        # The count on the first page only: later pages cost the same at any depth.
        "count": None if after else (len(rows) if len(rows) <= PAGE_SIZE else queryset.count()),
        "is_later_page": after is not None,
        "next_query": (f"{query}&after={stations[-1].pk}" if query else f"after={stations[-1].pk}")
        if len(rows) > PAGE_SIZE
        else "",
        "first_query": query,
        "amenities": amenities,
        **_filter_values(request, amenities),
    }
    return render(request, "stations/list.html", context, status=200 if valid else 400)


def _station_after(request):
    """The station a later page starts after (``?after=<id>``), or None for the first page."""
    raw = request.GET.get("after", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        return None
    return (
        Station.objects.filter(pk=int(raw))
        .only("pk", "route", "latitude", "longitude", "district", "name")
        .first()
    )


@require_safe
def nearby(request):
    form, valid, amenities = _filter_context(request, NearbyForm)
    origin = form.origin if valid else None
    context = {
        "form": form,
        "origin": origin,
        "amenities": amenities,
        **_filter_values(request, amenities),
    }
    body = None
    if origin is not None:
        now = timezone.now()
        # Ids and distances; a station is built from its row only if its card is not cached.
        if form.is_filtered():
            queryset = form.filter(Station.objects.published())
            stations = queryset.nearest_hits(*origin, limit=PAGE_SIZE)
        else:
            # The same statement for every driver: compiled once per process.
            stations = published_nearest_hits(*origin, limit=PAGE_SIZE)
        for station in stations:
            station.distance_label = geo.format_distance(station.distance_m)
        # The rest of the page from its cached shell, fetched with the cards (stations.shell).
        shell_key = shell.key_for(request)
        found: dict = {shell_key: None} if shell_key else {}
        # Cards from the cache; amenities and hours loaded only for those it lacks.
        station_cards = cards.cards(stations, now=now, distance=True, also=found)
        results = {
            "stations": stations,
            "cards": station_cards,
            "nearest_open": _nearest_open(form, origin, stations, now),
            # "Within N km": the farthest station shown, rounded up.
            "radius_km": math.ceil(stations[-1].distance_m / 1000) or 1 if stations else None,
        }
        # No request: the results need none of the context processors (the page has them).
        context["results"] = render_to_string("stations/_nearby_results.html", results)
        if shell_key:
            body = _nearby_from_shell(request, context, shell_key, found, now)
    if body is None:
        body = render_to_string("stations/nearby.html", context, request)
    response = HttpResponse(body, status=200 if valid else 400)
    # The URL carries the driver's position: never pass it on, never keep it.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


def _nearby_from_shell(request, context, key, found, now) -> str | None:
    """The nearby page from its shell: the stored one if current, else rendered and stored."""
    version = found.get(dataversion.VERSION_KEY)
    if not version:
        return None
    entry = found.get(key)
    if not entry:
        html = shell.render(request, "stations/nearby.html", context)
        if html is None:
            return None
        entry = {"version": version, "minute": shell.minute(now), "html": html}
        fragments.store({key: entry}, shell.STORE_SECONDS)
    return shell.fill(entry["html"], request, context["results"])


@require_safe
def detail(request, slug):
    station = get_object_or_404(
        Station.objects.published()
        .for_display()
        .select_related("helper_organisation")
        .prefetch_related("photos")
        .with_road_position(),
        slug=slug,
    )
    now = timezone.now()
    station.is_open = station.is_open_at(now)
    station.opens_label = "" if station.is_open else station.next_opening_label(now)
    hours = _hours_by_day(station)
    context = {
        "station": station,
        "amenity_rows": list(station.amenities.all()),
        "hours": hours,
        "photos": list(station.photos.all()),
        "navigation": navigation_links(station),
        "json_ld": _json_ld(request, station, hours),
        "display_point": geo.to_display(
            station.latitude, station.longitude, settings.MAP_TILES_CRS
        ),
        "minimap_options": _minimap_options(),
        "panels": extensions.panels_for(station),
        "parking": parking_now(station, now),
        "live_issues": [
            row
            for row in station.amenities.all()
            if row.live_status != StationAmenity.LiveStatus.AVAILABLE
        ],
    }
    return render(request, "stations/detail.html", context)


def _stations_extent():
    """The published stations' corners in display coordinates, or None; cached.

    One aggregate over every station, so it is kept for ``EXTENT_SECONDS``: a station added
    at the edge only moves where the map first opens, and the map asks the feed for what it
    shows anyway.
    """
    key = f"stations:map-extent:{settings.MAP_TILES_CRS}"
    found = cache.get(key)
    if found is not None:
        return found or None
    extent = Station.objects.published().aggregate(
        south=Min("latitude"), west=Min("longitude"), north=Max("latitude"), east=Max("longitude")
    )
    bounds = []
    if extent["south"] is not None:
        corners = [(extent["south"], extent["west"]), (extent["north"], extent["east"])]
        bounds = [list(geo.to_display(lat, lng, settings.MAP_TILES_CRS)) for lat, lng in corners]
    cache.set(key, bounds, EXTENT_SECONDS)
    return bounds or None


@require_safe
def station_map(request):
    amenities = list(Amenity.objects.all())
    routes = [
        {
            "code": route.code,
            "name": route.label,
            "colour": route.colour,
            "latlngs": [
                list(geo.to_display(lat, lng, settings.MAP_TILES_CRS))
                for lng, lat, *_rest in route.geometry["coordinates"]
            ],
        }
        for route in RouteLine.objects.all()
    ]
    bounds = _stations_extent()
    leaflet = settings.LEAFLET_CONFIG
    initial = feeds.initial_view(
        bounds, default_center=leaflet["DEFAULT_CENTER"], default_zoom=leaflet["DEFAULT_ZOOM"]
    )
    feed_url = reverse("stations-feed")
    language = translation.get_language()
    if language in ("en", "vi"):
        # The feed is outside the language prefix: the map asks for names in its language.
        feed_url = f"{feed_url}?lang={language}"
    # The request for a phone's first view, announced in the page (<link rel="preload">) so
    # it travels with Leaflet; the script asks for exactly this URL (static/js/map-feed.js).
    if initial["tiles"]:
        box = feeds.tiles_bbox(initial["tiles"], initial["zoom"])
        joiner = "&" if "?" in feed_url else "?"
        initial["url"] = f"{feed_url}{joiner}bbox={box}&zoom={initial['zoom']}"
    _title, tiles_url, tiles_options = leaflet["TILES"][0]
    context = {
        "amenities": amenities,
        "map_data": {
            "bounds": bounds,
            "initial": initial,
            "feed": feed_url,
            # Other apps' layers (border crossings…), asked for in the page's language.
            "layers": [
                {"name": name, "url": f"{reverse(url_name)}?lang={language or 'zh-hans'}"}
                for name, url_name in extensions.map_layers()
            ],
            "export": reverse("stations-export"),
            "tiles": {
                "url": tiles_url,
                "options": tiles_options,
                "minZoom": leaflet["MIN_ZOOM"],
                "maxZoom": leaflet["MAX_ZOOM"],
            },
            "detail": reverse("stations:detail", kwargs={"slug": "__slug__"}),
            "routes": routes,
            "amenities": {a.code: a.label for a in amenities},
            "key_amenities": [a.code for a in amenities if a.key],
        },
        "map_labels": {
            "open": gettext("Open now"),
            "closed": gettext("Closed now"),
            "temporarily_closed": gettext("Temporarily closed"),
            "details": gettext("Details"),
            "next_event": gettext("Next event"),
            "count": gettext("Stations on the map: %(count)s"),
            "locate": gettext("Show where I am"),
            "locating": gettext("Finding your position…"),
            "locate_failed": gettext(
                "Your position is not available (permission refused or no signal)."
            ),
            "you_are_here": gettext("You are here"),
            "cluster": gettext("%(count)s stations here: zoom in"),
            "parking": {
                "plenty": gettext("Parking: plenty of spaces"),
                "few": gettext("Parking: a few spaces"),
                "full": gettext("Parking: full"),
            },
            "minutes_ago": gettext("%(count)s min ago"),
            "hours_ago": gettext("%(count)s h ago"),
        },
    }
    return render(request, "stations/map.html", context)


def _conditional(request, body: str, content_type: str) -> HttpResponse:
    """Answer ``body`` with its ETag, or 304 when the client already holds it."""
    etag = feeds.etag_for(body)
    if_none_match = request.headers.get("If-None-Match", "")
    # Weak comparison (RFC 9110): GZipMiddleware hands the tag out as W/"…".
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    if etag in tags or if_none_match.strip() == "*":
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    return response


@require_safe
def feed(request):
    """Published stations as GeoJSON, for a view (``bbox``, ``zoom``), around a point
    (``near``) or the first ones; never more than a bounded number (stations/feeds.py).

    The list filters apply (``amenity``, ``route``, ``district``, ``open_now``, ``parking``,
    ``q``); without any, a zoomed-out view reads the grid's cell counts instead of the
    stations (``feeds.view_collection``). Revalidated cheaply with ETag.
    """
    amenities = list(Amenity.objects.all())
    form = FeedForm(request.GET, amenities=amenities)
    if not form.is_valid():
        body = json.dumps({"errors": form.errors.get_json_data()}, ensure_ascii=False)
        return HttpResponse(body, status=400, content_type="application/json")
    queryset = form.filter(Station.objects.published())
    options = {"tile_crs": settings.MAP_TILES_CRS, "extra_for": extensions.feed_properties}
    data = form.cleaned_data
    with translation.override(data["lang"] or "zh-hans"):
        if data["bbox"]:
            collection = feeds.view_collection(
                queryset,
                data["bbox"],
                data["zoom"],
                every_station=not form.is_filtered(),
                **options,
            )
        elif data["near"]:
            collection = feeds.near_collection(queryset, data["near"], **options)
        else:
            collection = feeds.first_collection(queryset, **options)
    response = _conditional(request, feeds.dumps(collection), "application/geo+json")
    # Open-now flags change with the clock: phones revalidate after a minute.
    response["Cache-Control"] = "public, max-age=60"
    if data["near"]:
        # The URL carries a position: never pass it on.
        response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def feed_export(request):
    """Every published station as one GeoJSON download, built at most once a minute."""
    queryset = Station.objects.published()
    lang = request.GET.get("lang", "zh-hans")
    if lang not in ("zh-hans", "en", "vi"):
        lang = "zh-hans"
    with translation.override(lang):
        body, modified = feeds.export_body(
            queryset, tile_crs=settings.MAP_TILES_CRS, extra_for=extensions.feed_properties
        )
    response = _conditional(request, body, "application/geo+json")
    if modified:
        response["Last-Modified"] = http_date(modified.timestamp())
    response["Cache-Control"] = "public, max-age=60"
    response["Content-Disposition"] = 'attachment; filename="stations.geojson"'
    return response


def _nearest_open(form, origin, stations, now):
    """When the nearest station is closed, the nearest open one (with the same filters).

    Taken from the page's hits (``is_open``, ``url`` and ``name_html`` set from their cards)
    when one is open, else one more query over every station.
    """
    if not stations or stations[0].is_open:
        return None
    hit = next((s for s in stations if s.is_open), None)
    if hit is not None:
        return hit
    station = form.filter(Station.objects.published()).nearest_open(*origin, now)
    if station is None:
        return None
    station.distance_label = geo.format_distance(station.distance_m)
    station.url = station.get_absolute_url()
    station.name_html = place_name(station)
    return station


def _for_cards(stations, now=None):
    """Work out once what each card shows: open now or when it opens, amenities, URL."""
    now = now or timezone.now()
    # One reverse() for the whole page: it is slow under the language prefixes.
    pattern = reverse("stations:detail", kwargs={"slug": "__slug__"})
    stations = list(stations)
    for station in stations:
        station.is_open = station.is_open_at(now)
        station.opens_label = "" if station.is_open else station.next_opening_label(now)
        station.amenity_rows = list(station.amenities.all())
        station.parking = parking_now(station, now)
        station.url = pattern.replace("__slug__", station.slug)
    return stations


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("after", None)
    return query.urlencode()


def _minimap_options() -> dict:
    """django-leaflet's map options (tiles, zoom limits), as its ``leaflet_map`` tag builds
    them, for the station page's script to read from a JSON block instead of an inline
    script (which would need a per-response nonce, and so no shared page cache)."""
    from leaflet.templatetags.leaflet_tags import leaflet_map

    return json.loads(leaflet_map("station-leaflet")["djoptions"])


def _hours_by_day(station):
    """Return [(weekday label, [period, ...]), ...] for the seven days, Monday first."""
    from .models import OpeningHours

    periods = list(station.opening_hours.all())
    return [
        (label, [p for p in periods if p.weekday == day])
        for day, label in OpeningHours.Weekday.choices
    ]


def _json_ld(request, station, hours) -> str:
    """schema.org Place for the station, escaped for a <script> element."""
    data = {
        "@context": "https://schema.org",
        "@type": "Place",
        "name": station.name,
        "url": request.build_absolute_uri(station.get_absolute_url()),
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": round(station.latitude, 7),
            "longitude": round(station.longitude, 7),
        },
        "amenityFeature": [
            {"@type": "LocationFeatureSpecification", "name": row.amenity.label, "value": True}
            for row in station.amenities.all()
        ],
    }
    if station.address:
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": station.address,
            "addressLocality": station.get_district_display(),
            "addressRegion": "广西",
            "addressCountry": "CN",
        }
    if station.phone:
        data["telephone"] = station.phone
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    if station.open_24h:
        data["openingHoursSpecification"] = [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": days,
                "opens": "00:00",
                "closes": "23:59",
            }
        ]
    else:
        data["openingHoursSpecification"] = [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": days[period.weekday],
                "opens": period.opens.strftime("%H:%M"),
                "closes": period.closes.strftime("%H:%M"),
            }
            for _label, periods in hours
            for period in periods
        ]
    return script_json(data)
