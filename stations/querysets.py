"""Reads on stations: what drivers may see, what staff may edit, open now, nearest first."""

import functools
import math
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, models, router
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.expressions import Func
from django.db.models.functions import Collate
from django.utils import timezone

from accounts.permissions import is_active_staff, is_station_manager, is_superuser

from . import geo
from .road.querysets import RoadQuerySetMixin

# Search radii for nearby, smallest first; beyond the last, the whole world.
NEARBY_RADII_M = (2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_500_000)

# The highways in the order the station list shows them (other roads come after).
ROAD_ORDER = ("G228", "G219")


def haversine_sql(lat_sql: str, lng_sql: str, least: str, lat0: float, lng0: float):
    """The SQL (and its parameters) of the haversine distance in metres from (lat0, lng0)
    to the columns ``lat_sql``, ``lng_sql``; ``least`` is LEAST (PostgreSQL) or MIN."""
    half_dlat = f"SIN((RADIANS({lat_sql}) - %s) / 2)"
    half_dlng = f"SIN((RADIANS({lng_sql}) - %s) / 2)"
    sql = (
        f"(%s * ASIN({least}(1.0, SQRT({half_dlat} * {half_dlat}"
        f" + %s * COS(RADIANS({lat_sql})) * {half_dlng} * {half_dlng}))))"
    )
    return sql, haversine_params(lat0, lng0)


def haversine_params(lat0: float, lng0: float) -> list[float]:
    """The parameters of ``haversine_sql``'s SQL for the point (lat0, lng0)."""
    rlat0, rlng0 = math.radians(lat0), math.radians(lng0)
    return [2 * geo.EARTH_RADIUS_M, rlat0, rlat0, math.cos(rlat0), rlng0, rlng0]


class GreatCircleDistance(Func):
    """Haversine distance in metres from a fixed point to (latitude, longitude) columns.

    Written as one SQL template rather than nested Django functions: compiling those cost
    more than the query itself at 100k stations. SIN, COS, ASIN, SQRT and RADIANS exist in
    PostgreSQL, and Django registers them on SQLite connections that lack them.
    """

    output_field = models.FloatField()
    # LEAST on PostgreSQL, MIN on SQLite: rounding may push the argument of ASIN above 1.
    least = "LEAST"

    def __init__(self, lat: float, lng: float):
        self.origin = (float(lat), float(lng))
        super().__init__(F("latitude"), F("longitude"))

    def as_sql(self, compiler, connection, *args, **extra_context):
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lng_sql, lng_params = compiler.compile(self.source_expressions[1])
        if lat_params or lng_params:
            raise ValueError("GreatCircleDistance takes plain latitude/longitude columns")
        return haversine_sql(lat_sql, lng_sql, self.least, *self.origin)

    def as_sqlite(self, compiler, connection, **extra_context):
        self.least = "MIN"
        return self.as_sql(compiler, connection, **extra_context)


class ChineseCollate(Collate):
    """Sort Chinese names by pinyin on PostgreSQL (ICU), by code point elsewhere.

    No pinyin table is shipped (no pypinyin): PostgreSQL's ICU collation "zh-Hans-x-icu"
    orders Han characters by pinyin; SQLite has no such collation, so names there keep
    code-point order. The name is only the last key of the driver order, after the road,
    the position along it and the district.
    """

    def __init__(self, expression):
        super().__init__(expression, "zh-Hans-x-icu")

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


def _inscribed_square(lat: float, lng: float, radius_m: float) -> dict:
    """A box every point of which lies within ``radius_m`` of the point.

    Half-sides of radius/√2 (less 1 % for the sphere's curvature), the longitude span
    taken at the latitude nearest the equator, where a degree of longitude is longest.
    """
    half = radius_m / math.sqrt(2) * 0.99
    dlat = half / geo.METRES_PER_DEGREE_LAT
    low, high = lat - dlat, lat + dlat
    nearest_equator = 0.0 if low <= 0 <= high else min(abs(low), abs(high))
    dlng = half / (geo.METRES_PER_DEGREE_LAT * math.cos(math.radians(nearest_equator)))
    return {
        "latitude__gte": low,
        "latitude__lte": high,
        "longitude__gte": lng - dlng,
        "longitude__lte": lng + dlng,
    }


def driver_order_key(station) -> tuple:
    """The station's place in ``in_driver_order``, worked out as the SQL there does."""
    from .models import Station

    route = ROAD_ORDER.index(station.route) if station.route in ROAD_ORDER else len(ROAD_ORDER)
    along = {Station.Route.G228: station.longitude, Station.Route.G219: station.latitude}
    districts = list(Station.District.values)
    district = (
        districts.index(station.district) if station.district in districts else len(districts)
    )
    return route, float(along.get(station.route, 0.0)), district, station.name, station.pk


def _after(key: tuple) -> Q:
    """Rows whose (road, position, district, name, id) comes after ``key``."""
    names = ["order_route", "order_along", "order_district", "order_name", "pk"]
    condition = Q()
    for depth, name in enumerate(names):
        equal = {earlier: key[i] for i, earlier in enumerate(names[:depth])}
        condition |= Q(**equal, **{f"{name}__gt": key[depth]})
    return condition


def display_prefetches():
    """Prefetches for station cards: amenity rows with their amenity, and opening hours."""
    from .models import StationAmenity

    return [
        models.Prefetch("amenities", queryset=StationAmenity.objects.select_related("amenity")),
        "opening_hours",
    ]


class StationQuerySet(RoadQuerySetMixin, models.QuerySet):
    def published(self):
        """Stations drivers may see: published and not retired."""
        return self.filter(published=True).exclude(status="retired")

    def editable_by(self, user):
        """Stations ``user`` may edit: the one gatekeeper for admin, exports and views.

        Superusers edit every station; station managers only those they are assigned to;
        other staff with the change permission every station; anyone else none.
        """
        if not is_active_staff(user):
            return self.none()
        if is_superuser(user):
            return self
        if is_station_manager(user):
            return self.filter(managers=user)
        if user.has_perm("stations.change_station") or user.has_perm("stations.view_station"):
            return self
        return self.none()

    def in_driver_order(self, *, after=None):
        """Order as a driver reads a road: G228, then G219, each from the Dongxing crossing
        outwards, then stations on other roads by district; the name last.

        Both highways end at the Dongxing crossing. Position along them is read from the
        coordinates: G228 runs east along the coast (longitude grows with the distance from
        Dongxing), G219 runs north along the border (latitude grows). Plain column
        arithmetic, no function per row; no index serves it (docs/stations.md has the cost).

        With ``after`` (a station), only the stations that come after it in this order: the
        list's next page by its last station (keyset), as cheap at any depth as the first,
        where an OFFSET would read and drop every row before it.
        """
        from .models import Station

        route_rank = Case(
            *(When(route=code, then=Value(rank)) for rank, code in enumerate(ROAD_ORDER)),
            default=Value(len(ROAD_ORDER)),
        )
        along = Case(
            When(route=Station.Route.G228, then=F("longitude")),
            When(route=Station.Route.G219, then=F("latitude")),
            default=Value(0.0),
            output_field=models.FloatField(),
        )
        district_rank = Case(
            *(
                When(district=code, then=Value(rank))
                for rank, code in enumerate(Station.District.values)
            ),
            default=Value(len(Station.District.values)),
        )
        queryset = self.alias(
            order_route=route_rank,
            order_along=along,
            order_district=district_rank,
            order_name=ChineseCollate("name"),
        )
        if after is not None:
            queryset = queryset.filter(_after(driver_order_key(after)))
        return queryset.order_by("order_route", "order_along", "order_district", "order_name", "pk")

    def for_display(self):
        """Prefetch what a list or card shows: amenities and opening hours (two queries)."""
        return self.prefetch_related(*display_prefetches())

    def open_at(self, moment: datetime):
        """Stations open at ``moment``: status open and 24 hours or within a period."""
        from .models import OpeningHours

        local = timezone.localtime(moment)
        weekday, now = local.weekday(), local.time()
        previous = (local - timedelta(days=1)).weekday()
        overnight = Q(closes__lt=F("opens"))
        periods = OpeningHours.objects.filter(station=OuterRef("pk")).filter(
            Q(weekday=weekday, opens__lte=now) & (Q(closes__gt=now) | overnight)
            | Q(weekday=previous, closes__gt=now) & overnight
        )
        return self.filter(status="open").filter(Q(open_24h=True) | Exists(periods))

    def open_now(self):
        return self.open_at(timezone.now())

    def with_amenities(self, codes):
        """Stations offering every amenity in ``codes`` (not out of order)."""
        from .models import StationAmenity

        queryset = self
        for code in codes:
            queryset = queryset.filter(
                Exists(
                    StationAmenity.objects.filter(
                        station=OuterRef("pk"), amenity__code=code
                    ).exclude(live_status=StationAmenity.LiveStatus.OUT_OF_ORDER)
                )
            )
        return queryset

    def parking_not_full(self, now: datetime | None = None):
        """Stations where a truck may find a space now: not reported full.

        A fresh report (see ``stations.parking``) that is not "full"; or, without a fresh
        report, a station with truck parking spaces at all. Stations known to be full,
        and those without truck parking, are left out.
        """
        from django.conf import settings

        since = (now or timezone.now()) - timedelta(minutes=settings.PARKING_FRESH_MINUTES)
        fresh = Q(parking_reported_at__gte=since) & ~Q(parking_level="")
        return self.filter(
            (fresh & ~Q(parking_level="full")) | (~fresh & Q(truck_parking_spaces__gt=0))
        )

    def search(self, text: str):
        """Stations whose name, address, host, or location note contains ``text``, in any
        language (a Vietnamese driver may type the Chinese name off a sign), or whose name's
        pinyin does.

        The translated columns are named one by one: django-modeltranslation would turn
        ``name__icontains`` into the page language's column only.
        """
        text = text.strip()
        if not text:
            return self
        found = Q(name_pinyin__icontains=text)
        for field in ("name", "address", "host_organisation", "location_note"):
            for suffix in ("zh_hans", "en", "vi"):
                found |= Q(**{f"{field}_{suffix}__icontains": text})
        return self.filter(found)

    def by_distance(self, lat: float, lng: float):
        """Annotate ``distance_m`` (great-circle metres from the point), nearest first."""
        return self.annotate(distance_m=GreatCircleDistance(lat, lng)).order_by("distance_m", "pk")

    def nearest_open(self, lat: float, lng: float, moment: datetime):
        """The station nearest to the point that is open at ``moment``, or None (one query).

        Used when every station in the nearby list is closed: no radius limit, since the
        nearest open one may be far (11 km at 04:45 on the demo data).
        """
        rows = self.open_at(moment).nearest(lat, lng, limit=1)
        return rows[0] if rows else None

    def nearest(self, lat: float, lng: float, *, limit: int = 20) -> list:
        """Return the ``limit`` stations nearest to the point, nearest first, in one query,
        each with ``distance_m`` (``nearest_hits`` has how).
        """
        return [hit.station for hit in self.nearest_hits(lat, lng, limit=limit)]

    def nearest_hits(
        self, lat: float, lng: float, *, limit: int = 20, reuse: str | None = None
    ) -> list["NearbyHit"]:
        """The ``limit`` stations nearest to the point, nearest first, in one query, as
        ``NearbyHit``s: each station's id and distance, the station built from its row only
        when asked for.

        The same stations, in the same order, as ordering every row by distance (ties by
        id), at any density and with any filters on the queryset, but reading only a box
        on the (latitude, longitude) index. The box is picked inside the same statement
        (a ``WITH`` clause): the smallest of ``NEARBY_RADII_M`` whose inscribed square
        already holds ``limit`` matching stations (counting stops at ``limit``), else the
        whole world. Every station in that square lies within the radius, so the nearest
        ``limit`` do too, and the box around the radius's circle holds them all. Stations
        come whole (the queryset's filters apply, not its selection), with ``distance_m``.

        The ORM compiles the queryset's filters once, with stand-ins for the box; the rest
        of the statement is assembled around that SQL, and the rows become stations without
        a raw queryset: compiling a second query and mapping raw columns cost more than the
        database's work. docs/performance.md has the figures.

        ``reuse`` names the queryset's filters when they never change from one call to the
        next (no time, no user, nothing from the request): the statement is then compiled
        once per process and database under that name (``published_nearest_hits``, the
        nearby page's search with no filter, where compiling was a third of the query's time).
        """
        key = (self.db, int(limit), reuse)
        statement = _statements.get(key) if reuse else None
        if statement is None:
            statement = _NearbyStatement(self, int(limit))
            if reuse:
                _statements[key] = statement
        return _run_nearby(statement, self.db, lat, lng)


def published_nearest_hits(lat: float, lng: float, *, limit: int = 20) -> list["NearbyHit"]:
    """``Station.objects.published().nearest_hits(lat, lng, limit=limit)``, its statement
    compiled once per process: the nearby page's search with no filter. Once compiled, not
    even the queryset is made (a tenth of a millisecond, a twentieth of the page)."""
    from .models import Station

    db = router.db_for_read(Station)
    statement = _statements.get((db, int(limit), "published"))
    if statement is None:
        queryset = Station.objects.db_manager(db).published()
        return queryset.nearest_hits(lat, lng, limit=limit, reuse="published")
    return _run_nearby(statement, db, lat, lng)


def _run_nearby(statement: "_NearbyStatement", db: str, lat: float, lng: float) -> list:
    from .models import Station

    connection = connections[db]
    with _statement_cursor(connection) as cursor:
        cursor.execute(statement.sql, statement.params(lat, lng))
        fetched = cursor.fetchall()
    rows = _station_rows(connection)
    return [NearbyHit(rows, Station, db, row) for row in fetched]


# Nearby's statements compiled under a name (``nearest_hits(reuse=…)``), by database,
# limit and name.
_statements: dict[tuple, "_NearbyStatement"] = {}
# The four bounds of a box, as nearest_hits' stand-ins name them, in bounding_box's order.
_BOUNDS = ("latitude__gte", "latitude__lte", "longitude__gte", "longitude__lte")


class LatitudeBand(Func):
    """A latitude's band: its whole hundredths of a degree (about 1.1 km), as an integer.

    Nearby reads its box through an index on (band, longitude, latitude, published, status)
    (``stations_station_band``): each band of the box is one short range of longitudes, and
    the index alone answers which stations are in the box and how far, so only the nearest
    twenty rows are read. The (latitude, longitude) index instead walked every station of
    the box's latitudes across the whole map. ``CAST`` truncates on SQLite (and rounds on
    PostgreSQL): nearby asks for one band more on each side. The query's text must be the
    index's for the index to be used: both come from this template.
    """

    template = "CAST((%(expressions)s * 100) AS integer)"
    output_field = models.IntegerField()


def _band_range(min_lat: float, max_lat: float) -> tuple[int, int]:
    """The bands every latitude from ``min_lat`` to ``max_lat`` falls in, with one to spare
    on each side (truncating or rounding, and the float product, never reach further)."""
    return math.floor(min_lat * 100) - 1, math.ceil(max_lat * 100) + 1


class _NearbyStatement:
    """Nearby's statement for one queryset and limit (``nearest_hits`` has its shape): the
    SQL, and how a point becomes its parameters.

    On SQLite the boxes are read by latitude bands (``LatitudeBand``): each radius's square
    and the picked box list their bands in a ``WITH RECURSIVE`` clause, and the box's nearest
    ids are found on the band index before the twenty rows are read whole (0.67 → 0.24 ms
    for the statement at 100,000 stations, from the port). PostgreSQL keeps the plain
    (latitude, longitude) index: its statement is prepared, and bands made it no faster
    (2.2 against 2.0 ms median at 100,000 stations, the bench's 200 origins).
    """

    BAND_STAND_IN = -987_654

    def __init__(self, queryset, limit: int) -> None:
        connection = connections[queryset.db]
        self.bands = connection.vendor == "sqlite"
        stand_ins: dict = dict(zip(_BOUNDS, (-1e9, -2e9, -3e9, -4e9), strict=True))
        queryset = queryset.order_by()
        if self.bands:
            queryset = queryset.alias(nearby_band=LatitudeBand("latitude"))
            stand_ins["nearby_band__in"] = [self.BAND_STAND_IN]
        # The matching stations' ids in a box whose bounds (and bands) are parameters.
        inner_sql, compiled_params = (
            queryset.filter(**stand_ins).values("pk").query.sql_with_params()
        )
        self.inner_params = list(compiled_params)
        stand_in_values = {
            name: value[0] if isinstance(value, list) else value
            for name, value in stand_ins.items()
        }
        self.slots = {
            self.inner_params.index(value): name for name, value in stand_in_values.items()
        }
        band_slot = next(
            (slot for slot, name in self.slots.items() if name == "nearby_band__in"), None
        )
        world = len(NEARBY_RADII_M)
        picks = []
        for index in range(world):
            count_sql = _fill(inner_sql, {band_slot: f"SELECT n FROM nearby_bands_{index}"})  # noqa: S608
            picks.append(
                f"WHEN (SELECT COUNT(*) FROM ({count_sql} LIMIT {limit}) AS nearby_count)"  # noqa: S608
                f" >= {limit} THEN {index}"
            )
        whens = " ".join(f"WHEN {index} THEN %s" for index in range(world))
        bound_sql = f"(SELECT CASE nearby_pick.radius {whens} ELSE %s END FROM nearby_pick)"  # noqa: S608
        rows = _station_rows(connection)
        quote = connection.ops.quote_name
        select_id = f"SELECT {rows.pk} AS {quote('pk')} FROM "  # noqa: S608
        if not inner_sql.startswith(select_id):
            raise ValueError(f"nearest() cannot read this query: {inner_sql[:80]}")
        # For each parameter of the box query: a bound's name (one value per radius and the
        # world), or the compiled filter's own value.
        self.box_plan: list[tuple[str | None, object]] = []
        box_sql, count = [], 0
        for part in _PLACEHOLDER.split(inner_sql.removeprefix(select_id)):
            if part != "%s":
                box_sql.append(part)
            elif count == band_slot:
                box_sql.append("SELECT n FROM nearby_box_bands")
            elif count in self.slots:
                box_sql.append(bound_sql)
                self.box_plan.append((self.slots[count], None))
            else:
                box_sql.append(part)
                self.box_plan.append((None, self.inner_params[count]))
            count += part == "%s"
        least = "MIN" if connection.vendor == "sqlite" else "LEAST"
        distance_sql, _params = haversine_sql(
            f"{rows.table}.{quote('latitude')}", f"{rows.table}.{quote('longitude')}", least, 0, 0
        )
        pick = f"nearby_pick AS (SELECT CASE {' '.join(picks)} ELSE {world} END AS radius)"
        if not self.bands:
            self.sql = (
                f"WITH {pick} "  # noqa: S608
                f"SELECT {rows.columns}, {distance_sql} AS distance_m FROM {''.join(box_sql)}"
                f" ORDER BY distance_m, {rows.pk} LIMIT {limit}"
            )
            return
        squares = [
            f"nearby_bands_{index}(n) AS (SELECT CAST(%s AS integer) UNION ALL"  # noqa: S608
            f" SELECT n + 1 FROM nearby_bands_{index} WHERE n < %s)"
            for index in range(world)
        ]
        box_bands = (
            f"nearby_box_bands(n) AS (SELECT CAST({bound_sql} AS integer) UNION ALL"  # noqa: S608
            f" SELECT n + 1 FROM nearby_box_bands WHERE n < {bound_sql})"
        )
        # The nearest ids from the index alone, then those rows whole.
        self.sql = (
            f"WITH RECURSIVE {', '.join(squares)}, {pick}, {box_bands} "  # noqa: S608
            f"SELECT {rows.columns}, nearby_ids.distance_m FROM"
            f" (SELECT {rows.pk} AS nearby_id, {distance_sql} AS distance_m FROM {''.join(box_sql)}"
            f" ORDER BY distance_m, {rows.pk} LIMIT {limit}) AS nearby_ids"
            f" INNER JOIN {rows.table} ON {rows.pk} = nearby_ids.nearby_id"
            f" ORDER BY nearby_ids.distance_m, nearby_ids.nearby_id"
        )

    def params(self, lat: float, lng: float) -> list:
        squares = [_inscribed_square(lat, lng, radius) for radius in NEARBY_RADII_M]
        pick_params = []
        for square in squares:
            params = list(self.inner_params)
            for slot, name in self.slots.items():
                params[slot] = square.get(name)
            pick_params += [
                p for slot, p in enumerate(params) if self.slots.get(slot) != "nearby_band__in"
            ]
        boxes = [geo.bounding_box(lat, lng, radius) for radius in NEARBY_RADII_M]
        boxes.append((-90.0, 90.0, -180.0, 180.0))
        box_params = []
        for bound, value in self.box_plan:
            if bound is None:
                box_params.append(value)
            else:
                position = _BOUNDS.index(bound)
                box_params += [float(box[position]) for box in boxes]
        distance = haversine_params(lat, lng)
        if not self.bands:
            return [*pick_params, *distance, *box_params]
        square_bands: list[int] = []
        for square in squares:
            square_bands += _band_range(square["latitude__gte"], square["latitude__lte"])
        box_ranges = [_band_range(box[0], box[1]) for box in boxes]
        lows, highs = [low for low, _ in box_ranges], [high for _, high in box_ranges]
        return [*square_bands, *pick_params, *lows, *highs, *distance, *box_params]


def _fill(sql: str, substitutions: dict[int | None, str]) -> str:
    """Compiled ``sql`` with its placeholders numbered in ``substitutions`` (counting from 0)
    replaced by the SQL given for them; the others left as they are."""
    parts: list[str] = []
    count = 0
    for part in _PLACEHOLDER.split(sql):
        if part == "%s":
            parts.append(substitutions.get(count, part))
            count += 1
        else:
            parts.append(part)
    return "".join(parts)


def _statement_cursor(connection):
    """A cursor for nearby's statement: on PostgreSQL a prepared one (``DB_PREPARED_NEARBY``).

    The statement's text is the same for every driver with the same filters; only its
    parameters change. Django binds parameters on the client and never prepares, so
    PostgreSQL parsed and planned its nine radius subqueries again for every request (about
    1.3 ms) and the client spelled out its ninety parameters (about 1 ms): prepared, with
    the parameters bound on the server, the median at 100,000 stations went from 4.9 to
    2.8 ms. The cursor is Django's own wrapper around a psycopg server-binding cursor, so
    query logging and execute wrappers (the data version) see it as any other.
    """
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_NEARBY:
        return connection.cursor()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns preparing off (None); a threshold no query reaches turns it on for
        # statements that ask (prepare=True) and for no other.
        connection.connection.prepare_threshold = 2**31 - 1
    cursor = _prepared_cursor_class()(connection.connection)
    # As Django's own cursors: datetimes in the connection's time zone.
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, cursor)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


@functools.cache
def _prepared_cursor_class():
    """A psycopg cursor that binds on the server and prepares every statement it runs
    (imported on first use: psycopg is only there with PostgreSQL)."""
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


# A parameter placeholder of compiled SQL, or an escaped percent sign.
_PLACEHOLDER = re.compile(r"(%%|%s)")


class _StationRows:
    """How a row of every station column becomes a Station (the ORM's converters applied)."""

    def __init__(self, connection):
        from .models import Station

        quote = connection.ops.quote_name
        meta = Station._meta
        self.table = quote(meta.db_table)
        fields = list(meta.concrete_fields)
        self.columns = ", ".join(f"{self.table}.{quote(field.column)}" for field in fields)
        self.pk = f"{self.table}.{quote(meta.pk.column)}"
        self.pk_index = fields.index(meta.pk)
        self.attnames = [field.attname for field in fields]
        self.converters = []
        for index, field in enumerate(fields):
            column = field.get_col(meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((index, found, column))

    def station(self, model, db, connection, row):
        """The row (every column, then the distance) as a station with ``distance_m``."""
        values = list(row[:-1])
        for index, converters, column in self.converters:
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        station = model.from_db(db, self.attnames, values)
        station.distance_m = row[-1]
        return station


class NearbyHit:
    """One of ``nearest_hits``' stations: its id and distance at once, the station itself
    (with ``distance_m``) built from the fetched row on first use.

    The nearby page needs the stations only for the cards its cache lacks: building twenty
    stations of 56 columns (the translations, the ORM's converters, the model's signals) was
    a tenth of the page's time, spent on rows whose cards were already rendered.
    """

    def __init__(self, rows: "_StationRows", model, db: str, row) -> None:
        self.pk = row[rows.pk_index]
        self.distance_m = row[-1]
        self._rows, self._model, self._db, self._row = rows, model, db, row

    @functools.cached_property
    def station(self):
        return self._rows.station(self._model, self._db, connections[self._db], self._row)


_rows_by_alias: dict[str, _StationRows] = {}


def _station_rows(connection) -> _StationRows:
    rows = _rows_by_alias.get(connection.alias)
    if rows is None:
        rows = _rows_by_alias[connection.alias] = _StationRows(connection)
    return rows


class StationCorrectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Corrections ``user`` may see and handle: the one gatekeeper (console, admin).

        Superusers every one; station managers those of the stations they manage;
        anyone else (organizers, dispatchers, other staff) none.
        """
        if not is_active_staff(user):
            return self.none()
        if is_superuser(user):
            return self
        if is_station_manager(user):
            return self.filter(station__managers=user)
        return self.none()

    def open(self):
        return self.filter(state="open")


# Fold PostgreSQL's change log into the cells: the log emptied and summed per cell in one
# statement (rows a concurrent fold claimed first are skipped, never counted twice), then
# the cells it emptied dropped. Both are WITH statements, which the data version's watcher
# takes for reads: rightly, as a fold changes no answer (the stations it counts were
# written, and the version replaced, already).
_FOLD = (
    "WITH claimed AS (DELETE FROM stations_stationgridchange "
    "RETURNING level, cx, cy, count, sum_lat, sum_lng, sum_id) "
    "INSERT INTO stations_stationgridcell (level, cx, cy, count, sum_lat, sum_lng, sum_id) "
    "SELECT level, cx, cy, SUM(count), SUM(sum_lat), SUM(sum_lng), SUM(sum_id) FROM claimed "
    "GROUP BY level, cx, cy ORDER BY level, cy, cx "
    "ON CONFLICT (level, cy, cx) DO UPDATE SET "
    "count = stations_stationgridcell.count + excluded.count, "
    "sum_lat = stations_stationgridcell.sum_lat + excluded.sum_lat, "
    "sum_lng = stations_stationgridcell.sum_lng + excluded.sum_lng, "
    "sum_id = stations_stationgridcell.sum_id + excluded.sum_id"
)
_DROP_EMPTY = (
    "WITH emptied AS (DELETE FROM stations_stationgridcell WHERE count <= 0 RETURNING 1) "
    "SELECT COUNT(*) FROM emptied"
)


class StationGridCellQuerySet(models.QuerySet):
    def fold_changes(self) -> None:
        """Bring the cells up to date with PostgreSQL's change log (nothing on SQLite).

        Run before reading cells; costs one statement on an empty log. The log and the
        reason for it: ``StationGridChange``.
        """
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(_FOLD)
            if cursor.rowcount:
                cursor.execute(_DROP_EMPTY)

    def in_view(self, level: int, columns: range, rows: range):
        """The cells of the map's grid at ``level`` in ``columns`` and ``rows``, row by row.

        Reads only those cells, whatever the number of stations: the unique index is
        (level, cy, cx), so each row of the view is one range of it. Empty cells are
        deleted by the triggers that keep the table; ``count > 0`` ignores any left over.
        """
        return self.filter(
            level=level,
            cy__in=list(rows),
            cx__gte=columns.start,
            cx__lt=columns.stop,
            count__gt=0,
        ).order_by("cy", "cx")
