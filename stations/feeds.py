"""The public GeoJSON feed of published stations (RFC 7946).

The feed answers for what a map shows, never for every station at once (docs/stations.md,
"The GeoJSON feed"):

- ``?bbox=w,s,e,n&zoom=z``: the stations in the box, grouped on a grid of 64-pixel cells at
  that zoom: a cell holding one station sends the station, a cell holding more sends one
  cluster feature with its count and extent. The answer is bounded by the number of cells
  (a box too large for its zoom is answered at a lower zoom), whatever the station count;
  from ``SINGLES_ZOOM`` on, the stations come one by one, at most ``MAX_FEATURES``.
- ``?near=lat,lng``: the ``NEAR_COUNT`` stations nearest to a point (the phone keeps them
  for the offline page).
- neither: the first ``FIRST_COUNT`` stations (all of them on a city's network); the
  collection says ``"truncated": true`` when there are more.

The full export (every station) is a separate, cached download (``export_body``).
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, F, FloatField, Func, IntegerField, Max, Min, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override

from portal.lib import translated

from . import geo
from .parking import feed_parking


def vanguard_properties(station) -> dict | None:
    """The party-member vanguard post: its duty hours and duty phone (the post's number)."""
    if not station.vanguard_post:
        return None
    return {"hours": station.vanguard_hours, "phone": station.vanguard_tel}


# The map's grid: a cell is 64 screen pixels at the asked zoom (Leaflet's 256-pixel tiles);
# the map asks for 512-pixel feed tiles (8 cells), so tiles and cells share one global grid
# anchored at 0°, 0° and a cluster never straddles two answers.
CELL_PX = 64
TILE_PX = 512
# A box wider or taller than this many cells at its zoom is answered at a lower zoom.
MAX_CELLS_PER_SIDE = 16
# From this zoom on (a 512-pixel tile is about 1 km across), stations come one by one.
SINGLES_ZOOM = 16
MAX_FEATURES = 256
NEAR_COUNT = 100
FIRST_COUNT = 500


class CellIndex(Func):
    """The grid cell a coordinate falls in: FLOOR(coordinate / cell), as an integer.

    On SQLite, Django's FLOOR is a Python function called once a row (about 350 ms over
    100,000 stations); a native cast does the same for any coordinate above -2^20 cells.
    """

    output_field = IntegerField()

    def __init__(self, expression, cell: float):
        super().__init__(expression, Value(cell, output_field=FloatField()))

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(FLOOR(%(expressions)s) AS INTEGER)",
            arg_joiner=" / ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(CAST((%(expressions)s) + 1048576 AS INTEGER) - 1048576)",
            arg_joiner=" / ",
            **extra_context,
        )


def _coordinate(value: float) -> float:
    # RFC 7946 advises against needless precision: 7 decimals is about a centimetre.
    return round(value, 7)


def cell_degrees(zoom: int) -> float:
    """The side of a grid cell at ``zoom``, in degrees (of longitude, and of latitude)."""
    return 360 / 256 * CELL_PX / 2**zoom


def effective_zoom(bbox: tuple[float, float, float, float], zoom: int) -> int:
    """The zoom the box is answered at: lowered until it spans at most 16 cells a side."""
    west, south, east, north = bbox
    while zoom > 0 and max(east - west, north - south) / cell_degrees(zoom) > MAX_CELLS_PER_SIDE:
        zoom -= 1
    return zoom


def station_feature(
    station, *, now, tile_crs: str, extra: dict[str, Any], language: str = "zh-hans"
) -> dict[str, Any]:
    """One station as a GeoJSON Feature (amenities and hours prefetched).

    ``name`` is in ``language``; where it has no translation it is the Chinese name, and
    ``name_lang`` ("zh-Hans") and ``name_pinyin`` say so. Ids stay the same in every language.
    Call inside ``override("zh-hans")``: station page URLs are the unprefixed ones.
    """
    amenity_rows = list(station.amenities.all())
    name, fallback = translated.text_for(station, "name", language)
    properties = {
        "name": name,
        "slug": station.slug,
        "kind": station.kind,
        "route": station.route,
        "district": station.district,
        "status": station.status,
        "open_now": station.is_open_at(now),
        "open_24h": station.open_24h,
        "amenities": [row.amenity.code for row in amenity_rows],
        "out_of_order": [
            row.amenity.code for row in amenity_rows if row.live_status == "out_of_order"
        ],
        "phone": station.tel,
        "url": reverse("stations:detail", kwargs={"slug": station.slug}),
    }
    if fallback:
        properties["name_lang"] = "zh-Hans"
        properties["name_pinyin"] = station.name_pinyin
    properties.update(feed_parking(station, now))
    properties["vanguard"] = vanguard_properties(station)
    properties.update(extra)
    if tile_crs == "gcj02":
        dlat, dlng = geo.wgs84_to_gcj02(station.latitude, station.longitude)
        properties["display"] = [_coordinate(dlng), _coordinate(dlat)]
    return {
        "type": "Feature",
        "id": station.slug,
        "geometry": {
            "type": "Point",
            "coordinates": [_coordinate(station.longitude), _coordinate(station.latitude)],
        },
        "properties": properties,
    }


def _station_features(stations, *, tile_crs: str, extra=None) -> list[dict[str, Any]]:
    extra = extra or {}
    now = timezone.now()
    # The feed's language is the one active around it (the view's ``lang``).
    language = get_language() or "zh-hans"
    with override("zh-hans"):
        return [
            station_feature(
                station,
                now=now,
                tile_crs=tile_crs,
                extra=extra.get(station.pk, {}),
                language=language,
            )
            for station in stations
        ]


def _cluster_feature(row: dict, *, zoom: int, tile_crs: str) -> dict[str, Any]:
    bounds = [row["west"], row["south"], row["east"], row["north"]]
    properties: dict[str, Any] = {
        "cluster": True,
        "count": row["count"],
        "bounds": [_coordinate(value) for value in bounds],
    }
    if tile_crs == "gcj02":
        south_west = geo.wgs84_to_gcj02(row["south"], row["west"])
        north_east = geo.wgs84_to_gcj02(row["north"], row["east"])
        dlat, dlng = geo.wgs84_to_gcj02(row["lat"], row["lng"])
        properties["display"] = [_coordinate(dlng), _coordinate(dlat)]
        properties["display_bounds"] = [
            _coordinate(value)
            for value in (south_west[1], south_west[0], north_east[1], north_east[0])
        ]
    return {
        "type": "Feature",
        "id": f"cluster/{zoom}/{int(row['cx'])}/{int(row['cy'])}",
        "geometry": {
            "type": "Point",
            "coordinates": [_coordinate(row["lng"]), _coordinate(row["lat"])],
        },
        "properties": properties,
    }


# A box edge this close to a grid line (degrees) is on it: the map writes its tiles' edges
# to 7 decimals (``tiles_bbox``, map-feed.js), so from zoom 12 on they miss the line by up to
# 5e-8 degrees (half a centimetre).
GRID_SNAP = 1e-7


def _snap(value: float, cell: float) -> tuple[float, bool]:
    """``value``, moved onto the nearest grid line if it is within ``GRID_SNAP`` of one."""
    line = round(value / cell) * cell
    if abs(value - line) <= GRID_SNAP:
        return line, True
    return value, False


def _scanned_cells(in_box, cell: float) -> list[dict[str, Any]]:
    """Every cell of the box with its stations' count, centroid and extent: one grouped
    query that reads every station in the box (what a filtered view costs)."""
    return list(
        in_box.annotate(cx=CellIndex(F("longitude"), cell), cy=CellIndex(F("latitude"), cell))
        .values("cx", "cy")
        .annotate(
            count=Count("pk"),
            lat=Avg("latitude"),
            lng=Avg("longitude"),
            south=Min("latitude"),
            north=Max("latitude"),
            west=Min("longitude"),
            east=Max("longitude"),
            first=Min("pk"),
        )
        .order_by("cy", "cx")
    )


def _counted_cells(zoom: int, columns: range, rows: range, cell: float) -> list[dict[str, Any]]:
    """The same cells from the grid table (``StationGridCell``): one query that reads only
    the cells in view, however many stations they hold.

    The centroid is the sums over the count, as the scan's average. The bounds are the
    cell's own, not its stations' extent: a minimum or maximum cannot be kept up to date
    when a station leaves without reading the others, and the map only zooms to the bounds
    of a cluster it is clicked on (the cell, at least two zooms closer). A cell holding one
    station names it by its ``sum_id``.
    """
    from .models import StationGridCell

    rows_out = []
    StationGridCell.objects.fold_changes()
    for grid in StationGridCell.objects.in_view(zoom, columns, rows):
        west, south = grid.cx * cell, grid.cy * cell
        rows_out.append(
            {
                "cx": grid.cx,
                "cy": grid.cy,
                "count": grid.count,
                "lat": grid.sum_lat / grid.count,
                "lng": grid.sum_lng / grid.count,
                "south": south,
                "north": south + cell,
                "west": west,
                "east": west + cell,
                "first": grid.sum_id,
            }
        )
    return rows_out


def view_collection(
    queryset, bbox, zoom: int, *, tile_crs: str, extra_for, every_station: bool = False
) -> dict[str, Any]:
    """The stations of ``queryset`` in ``bbox`` at ``zoom``, clustered on the grid.

    Constant queries: one query for the cells, then the single stations with their
    amenities and hours, then ``extra_for(ids)`` (the other apps' properties).

    ``every_station`` says ``queryset`` is every station drivers may see, unfiltered. Then
    a grouped answer for a box on the grid's lines (every box the map asks for: its tiles
    are whole cells) reads the grid table, and costs the same at 60 and at 100,000
    stations; its clusters' bounds are their cells' (``_counted_cells``). A filtered view,
    or a box whose edge cuts through cells (a cell's count cannot be split), groups the
    stations themselves, which reads every station in the box (docs/performance.md).
    """
    from .models import Station

    west, south, east, north = bbox
    zoom = effective_zoom(bbox, zoom)
    truncated = False
    clusters: list[dict[str, Any]] = []
    if zoom >= SINGLES_ZOOM:
        # Half-open boxes: adjacent tiles never both send a station on their common edge.
        in_box = queryset.filter(
            latitude__gte=south, latitude__lt=north, longitude__gte=west, longitude__lt=east
        )
        singles = list(in_box.for_display().order_by("pk")[: MAX_FEATURES + 1])
        truncated = len(singles) > MAX_FEATURES
        singles = singles[:MAX_FEATURES]
    else:
        cell = cell_degrees(zoom)
        snapped = [_snap(value, cell) for value in bbox]
        box_west, box_south, box_east, box_north = (value for value, _on in snapped)
        if every_station and all(on for _value, on in snapped):
            columns = range(round(box_west / cell), round(box_east / cell))
            rows_in_view = range(round(box_south / cell), round(box_north / cell))
            rows = _counted_cells(zoom, columns, rows_in_view, cell)
        else:
            in_box = queryset.filter(
                latitude__gte=box_south,
                latitude__lt=box_north,
                longitude__gte=box_west,
                longitude__lt=box_east,
            )
            rows = _scanned_cells(in_box, cell)
        single_ids = [row["first"] for row in rows if row["count"] == 1]
        by_id = {}
        if single_ids:
            by_id = {s.pk: s for s in Station.objects.filter(pk__in=single_ids).for_display()}
        singles = [by_id[pk] for pk in single_ids if pk in by_id]
        clusters = [
            _cluster_feature(row, zoom=zoom, tile_crs=tile_crs) for row in rows if row["count"] > 1
        ]
    extra = extra_for([station.pk for station in singles]) if singles else {}
    features = _station_features(singles, tile_crs=tile_crs, extra=extra) + clusters
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "bbox": [west, south, east, north],
        "zoom": zoom,
        "features": features,
    }
    if truncated:
        collection["truncated"] = True
    return collection


def near_collection(queryset, point, *, tile_crs: str, extra_for) -> dict[str, Any]:
    """The ``NEAR_COUNT`` stations of ``queryset`` nearest to ``point``, nearest first."""
    from django.db.models import prefetch_related_objects

    from .querysets import display_prefetches

    stations = queryset.nearest(*point, limit=NEAR_COUNT)
    prefetch_related_objects(stations, *display_prefetches())
    extra = extra_for([station.pk for station in stations]) if stations else {}
    return {
        "type": "FeatureCollection",
        "features": _station_features(stations, tile_crs=tile_crs, extra=extra),
    }


def first_collection(queryset, *, tile_crs: str, extra_for) -> dict[str, Any]:
    """The first ``FIRST_COUNT`` stations of ``queryset``; ``truncated`` when there are more."""
    stations = list(queryset.for_display()[: FIRST_COUNT + 1])
    truncated = len(stations) > FIRST_COUNT
    stations = stations[:FIRST_COUNT]
    extra = extra_for([station.pk for station in stations]) if stations else {}
    collection: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": _station_features(stations, tile_crs=tile_crs, extra=extra),
    }
    if truncated:
        collection["truncated"] = True
        collection["export"] = reverse("stations-export")
    return collection


def dumps(collection: dict[str, Any]) -> str:
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"))


def feature_collection(stations, *, tile_crs: str = "wgs84", extra=None) -> str:
    """Return the FeatureCollection of ``stations`` (amenities and hours prefetched).

    Positions are [longitude, latitude] in WGS-84 as RFC 7946 requires. When the map's
    tiles are GCJ-02, each feature also carries ``display``: where to draw it on them.
    Station page URLs are the Chinese (unprefixed) ones. ``extra`` maps a station's id to
    more properties, from other apps (see ``stations.extensions``).
    """
    return dumps(
        {
            "type": "FeatureCollection",
            "features": _station_features(stations, tile_crs=tile_crs, extra=extra),
        }
    )


def export_version(queryset) -> tuple[str, Any]:
    """A key naming the published stations' current state, and when they last changed.

    One aggregate over every station (the only query of a cached export); "open now" is
    part of the export, so the key also names the current minute.
    """
    last = queryset.aggregate(
        count=Count("pk", distinct=True),
        station=Max("updated_at"),
        amenity=Max("amenities__updated_at"),
    )
    changed = [value for value in (last["station"], last["amenity"]) if value]
    modified = max(changed) if changed else None
    minute = timezone.now().strftime("%Y%m%d%H%M")
    key = hashlib.sha256(repr((sorted(last.items()), minute)).encode()).hexdigest()[:32]
    return key, modified


def export_body(queryset, *, tile_crs: str, extra_for) -> tuple[str, Any]:
    """Every published station as one FeatureCollection, built once a minute at most.

    Kept in the shared cache under its version, so a repeat costs one aggregate query.
    """
    key, modified = export_version(queryset)
    cache_key = f"stations:export:{tile_crs}:{get_language() or 'zh-hans'}:{key}"
    body = cache.get(cache_key)
    if body is None:
        stations = list(queryset.for_display())
        extra = extra_for([station.pk for station in stations])
        body = feature_collection(stations, tile_crs=tile_crs, extra=extra)
        cache.set(cache_key, body, 120)
    return body, modified


def etag_for(body: str) -> str:
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def tile_degrees(zoom: int) -> float:
    """The side of one of the map's feed tiles (``TILE_PX``) at ``zoom``, in degrees."""
    return 360 / 256 * TILE_PX / 2**zoom


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _latitude(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def initial_view(
    bounds, *, default_center, default_zoom: int, width: int = 360, height: int = 518
) -> dict[str, Any]:
    """Where the map opens on a phone, and the feed tiles that view needs.

    ``bounds`` are the stations' corners [[south, west], [north, east]] (or None). The zoom
    is the largest (up to 14) at which they fit ``width`` x ``height`` pixels less a 20-pixel
    margin, as Leaflet's ``fitBounds`` picks it; the map page's default on a phone is 360 px
    wide and 70 % of a 740 px screen tall. ``tiles`` is [x0, y0, x1, y1], or None when the
    view needs more than two tiles a side (then no request is announced ahead).
    """
    if bounds:
        (south, west), (north, east) = bounds
        center = [(south + north) / 2, (west + east) / 2]
        zoom = 14
        while zoom > 0:
            scale = 256 * 2**zoom
            span_x = (east - west) / 360 * scale
            span_y = (_mercator_y(north) - _mercator_y(south)) / (2 * math.pi) * scale
            if span_x <= width - 40 and span_y <= height - 40:
                break
            zoom -= 1
    else:
        center, zoom = list(default_center), default_zoom
    scale = 256 * 2**zoom
    half_lng = width / 2 / scale * 360
    y = _mercator_y(center[0])
    half_y = height / 2 / scale * 2 * math.pi
    box = (center[1] - half_lng, _latitude(y - half_y), center[1] + half_lng, _latitude(y + half_y))
    side = tile_degrees(zoom)
    x0, x1 = math.floor(box[0] / side), math.floor(box[2] / side)
    y0, y1 = math.floor(box[1] / side), math.floor(box[3] / side)
    tiles = [x0, y0, x1, y1] if x1 - x0 < 2 and y1 - y0 < 2 else None
    center = [_coordinate(center[0]), _coordinate(center[1])]
    return {"center": center, "zoom": zoom, "tiles": tiles}


def tiles_bbox(tiles: list[int], zoom: int) -> str:
    """The ``bbox`` parameter of a tile range, as the map's script writes it."""
    x0, y0, x1, y1 = tiles
    side = tile_degrees(zoom)
    box = (
        max(-180.0, x0 * side),
        max(-90.0, y0 * side),
        min(180.0, (x1 + 1) * side),
        min(90.0, (y1 + 1) * side),
    )
    return ",".join(f"{value:.7f}".rstrip("0").rstrip(".") for value in box)
