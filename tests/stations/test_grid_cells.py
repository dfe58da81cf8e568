"""The map's grid counts (``StationGridCell``): kept by database triggers through every
write path, and the feed's zoomed-out answer read from them equals the answer grouped from
the stations themselves, in a constant number of queries."""

import importlib
import json
import math
import random

import pytest
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.db import connection
from django.db.models import Count, F, Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stations import feeds
from stations.models import Station, StationGridCell

from .test_feed_by_view import LAT_RANGE, LNG_RANGE, bulk_stations

FEED = "/stations.geojson"
GRID = StationGridCell._meta.db_table
# The whole demo area at zoom 9, as the bench asks for it: 16 cells a side, on the grid.
AREA = {"bbox": "106.875,21.09375,109.6875,23.90625", "zoom": 9}


def cells():
    """The grid table as the feed reads it: PostgreSQL's change log folded in first."""
    StationGridCell.objects.fold_changes()
    return StationGridCell.objects.all()


def counted() -> dict:
    """The grid table: (level, cx, cy) -> (count, sum of latitudes, of longitudes, of ids)."""
    return {(c.level, c.cx, c.cy): (c.count, c.sum_lat, c.sum_lng, c.sum_id) for c in cells()}


def scanned() -> dict:
    """The same, grouped from the stations drivers may see with the feed's own CellIndex."""
    cells = {}
    for level in range(feeds.SINGLES_ZOOM):
        cell = feeds.cell_degrees(level)
        rows = (
            Station.objects.published()
            .annotate(
                cx=feeds.CellIndex(F("longitude"), cell), cy=feeds.CellIndex(F("latitude"), cell)
            )
            .values("cx", "cy")
            .annotate(count=Count("pk"), lat=Sum("latitude"), lng=Sum("longitude"), ids=Sum("pk"))
            .order_by()
        )
        for row in rows:
            cells[(level, row["cx"], row["cy"])] = (
                row["count"],
                row["lat"],
                row["lng"],
                row["ids"],
            )
    return cells


def assert_counts_right():
    table, expected = counted(), scanned()
    assert table.keys() == expected.keys()
    for key, (count, lat, lng, ids) in expected.items():
        got = table[key]
        assert (got[0], got[3]) == (count, ids), key
        assert got[1] == pytest.approx(lat, rel=1e-9, abs=1e-9), key
        assert got[2] == pytest.approx(lng, rel=1e-9, abs=1e-9), key


def raw_insert(slug: str, latitude: float, longitude: float, **values) -> None:
    """One station written with plain SQL, as a script or another program would."""
    template = Station(name="原始", slug=slug, latitude=latitude, longitude=longitude)
    now = timezone.now()
    fields = [f for f in Station._meta.concrete_fields if not f.primary_key]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            setattr(template, field.attname, now)
    row = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
    row.update(published=True, **values)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Station._meta.db_table} ({columns}) VALUES ({marks})",  # noqa: S608
            [row[f.attname] for f in fields],
        )


def test_the_migrations_grid_is_the_feeds_grid():
    migration = importlib.import_module("stations.migrations.0007_station_grid_cells")
    assert list(migration.LEVELS) == list(range(feeds.SINGLES_ZOOM))
    for level in migration.LEVELS:
        # The triggers' cell is 90 / 2**level, the very double cell_degrees returns.
        assert 90.0 / 2**level == feeds.cell_degrees(level)


def test_counts_follow_every_write_path(make_station, db):
    port = make_station("港口", latitude=21.58, longitude=108.36)
    make_station("东兴", latitude=21.545, longitude=107.975)
    make_station("草稿", latitude=21.6, longitude=108.3, published=False)
    assert_counts_right()
    assert cells().get(level=0).count == 2

    # A move, a save that moves nothing, unpublishing, retiring, publishing again.
    port.latitude, port.longitude = 22.15, 107.98
    port.save()
    assert_counts_right()
    port.save()
    assert_counts_right()
    Station.objects.filter(slug=port.slug).update(published=False)
    assert_counts_right()
    Station.objects.filter(slug=port.slug).update(published=True, status="retired")
    assert_counts_right()
    Station.objects.filter(slug=port.slug).update(status="open")
    assert_counts_right()

    # QuerySet.update moving many, bulk_create, raw SQL, a coordinate below zero.
    bulk_stations(50)
    assert_counts_right()
    Station.objects.filter(slug__startswith="bulk-1").update(
        latitude=F("latitude") + 0.05, longitude=F("longitude") - 0.3
    )
    assert_counts_right()
    raw_insert("raw-north", 21.7, 108.1)
    raw_insert("raw-south", -33.45, -70.66)
    raw_insert("raw-retired", 21.7, 108.1, status="retired")
    assert_counts_right()
    assert cells().filter(level=15, cx__lt=0, cy__lt=0, count=1).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE stations_station SET latitude = latitude + 0.01 WHERE slug LIKE %s",
            ["bulk-2%"],
        )
    assert_counts_right()

    # Deletes: one model, a QuerySet, every station; no empty cell stays behind.
    port.delete()
    assert_counts_right()
    Station.objects.filter(slug__startswith="bulk-3").delete()
    assert_counts_right()
    assert not cells().filter(count__lte=0).exists()
    Station.objects.all().delete()
    assert not cells().exists()


def test_the_test_flush_leaves_the_cells_consistent(db):
    """Django's flush (TRUNCATE on PostgreSQL, DELETE on SQLite, in whatever table order)
    and a truncate of the stations alone both leave no cell behind."""
    if connection.vendor == "postgresql":
        # Foreign keys are checked at commit; TRUNCATE inside the test's transaction
        # wants them checked first (a real flush runs outside one).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    bulk_stations(30)
    assert cells().exists()
    connection.ops.execute_sql_flush(sql_flush(no_style(), connection))
    assert not cells().exists()
    bulk_stations(30, start=30)
    assert_counts_right()
    with connection.cursor() as cursor:
        # The cells first, then the stations: their triggers find no cell to take from.
        cursor.execute("DELETE FROM stations_stationgridcell")
        cursor.execute("DELETE FROM stations_station")
    assert not cells().exists()
    if connection.vendor == "postgresql":
        bulk_stations(30, start=60)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE stations_station CASCADE")
        assert not cells().exists()


def _answer(data: dict) -> tuple[list, dict]:
    """The singles as they are, and the clusters by id."""
    singles = [f for f in data["features"] if not f["properties"].get("cluster")]
    clusters = {f["id"]: f for f in data["features"] if f["properties"].get("cluster")}
    return singles, clusters


def random_boxes(rng: random.Random, count: int):
    """Boxes on the grid, as the map asks for them: whole cells at a random zoom, up to 16
    a side, around the demo area (and, at low zooms, reaching below zero); half of them
    written to 7 decimals as the map's script writes them."""
    for number in range(count):
        zoom = rng.randrange(feeds.SINGLES_ZOOM)
        cell = feeds.cell_degrees(zoom)
        # Cells of the world: columns -2**(zoom+1) .. 2**(zoom+1), rows -2**zoom .. 2**zoom.
        columns, rows = 2 ** (zoom + 1), 2**zoom
        x0 = max(-columns, math.floor(rng.uniform(*LNG_RANGE) / cell) - rng.randrange(4))
        y0 = max(-rows, math.floor(rng.uniform(*LAT_RANGE) / cell) - rng.randrange(4))
        x1 = min(columns, x0 + rng.randint(1, 16))
        y1 = min(rows, y0 + rng.randint(1, 16))
        box = (x0 * cell, y0 * cell, x1 * cell, y1 * cell)
        if number % 2:
            box = tuple(float(f"{value:.7f}") for value in box)
        yield box, zoom


def test_the_counted_answer_equals_the_scanned_answer(db):
    rng = random.Random(16)
    bulk_stations(300, seed=21)
    # Clumps on one spot and on the grid's lines, hidden stations, one far away.
    for number in range(12):
        Station.objects.create(
            name=f"同点{number}",
            slug=f"spot-{number}",
            latitude=21.6,
            longitude=108.3515625,
            published=True,
            status="retired" if number % 5 == 4 else "open",
        )
    for number in range(6):
        Station.objects.create(
            name=f"草稿{number}", slug=f"draft-{number}", latitude=21.61, longitude=108.35
        )
    Station.objects.create(name="远方", slug="far", latitude=-1.5, longitude=-0.5, published=True)
    options = {"tile_crs": "wgs84", "extra_for": lambda ids: {}}
    queryset = Station.objects.published()
    compared = 0
    for box, zoom in random_boxes(rng, 120):
        with CaptureQueriesContext(connection) as queries:
            counted_answer = feeds.view_collection(
                queryset, box, zoom, every_station=True, **options
            )
        assert GRID in queries[0]["sql"] and 'stations_station"' not in queries[0]["sql"]
        scanned_answer = feeds.view_collection(queryset, box, zoom, **options)
        assert counted_answer["zoom"] == scanned_answer["zoom"] == zoom
        singles, clusters = _answer(counted_answer)
        expected_singles, expected_clusters = _answer(scanned_answer)
        assert singles == expected_singles, (box, zoom)
        assert clusters.keys() == expected_clusters.keys(), (box, zoom)
        for key, cluster in clusters.items():
            expected = expected_clusters[key]
            assert cluster["properties"]["count"] == expected["properties"]["count"]
            assert cluster["geometry"]["coordinates"] == pytest.approx(
                expected["geometry"]["coordinates"], abs=2e-7
            )
            # The cell's bounds hold its stations' extent.
            west, south, east, north = cluster["properties"]["bounds"]
            s_west, s_south, s_east, s_north = expected["properties"]["bounds"]
            assert west <= s_west <= s_east <= east and south <= s_south <= s_north <= north
        compared += len(singles) + len(clusters)
    assert compared > 500


def test_a_box_off_the_grid_and_a_filtered_view_group_the_stations(client, make_station):
    make_station(slug="showers", amenities=["showers"])
    make_station(slug="dry", latitude=21.601)
    for params in (
        {"bbox": "107.5,21.0,109.0,22.5", "zoom": 9},  # edges through cells
        {**AREA, "amenity": "showers"},
        {**AREA, "route": "G228"},
        {**AREA, "open_now": "1"},
        {**AREA, "parking": "1"},
        {**AREA, "q": "港"},
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(FEED, params).status_code == 200
        assert not any(GRID in query["sql"] for query in queries), params
    with CaptureQueriesContext(connection) as queries:
        data = json.loads(client.get(FEED, AREA).content)
    assert any(GRID in query["sql"] for query in queries)
    assert sum(f["properties"].get("count", 1) for f in data["features"]) == 2


def test_a_counted_cluster_is_its_cells_centroid_and_bounds(client, make_station):
    for number in range(5):
        make_station(slug=f"port-{number}", latitude=21.58 + number * 0.001, longitude=108.36)
    make_station(slug="alone", latitude=22.15, longitude=107.98)
    data = json.loads(client.get(FEED, AREA).content)
    ids = sorted(f["id"] for f in data["features"])
    cell = feeds.cell_degrees(9)
    cx, cy = math.floor(108.36 / cell), math.floor(21.58 / cell)
    assert ids == ["alone", f"cluster/9/{cx}/{cy}"]
    (cluster,) = [f for f in data["features"] if f["properties"].get("cluster")]
    assert cluster["properties"]["count"] == 5
    assert cluster["geometry"]["coordinates"] == pytest.approx([108.36, 21.582])
    assert cluster["properties"]["bounds"] == [
        round(value, 7) for value in (cx * cell, cy * cell, (cx + 1) * cell, (cy + 1) * cell)
    ]
    # The single station is the whole feature, as from the scan.
    (alone,) = [f for f in data["features"] if f["id"] == "alone"]
    assert alone["properties"]["url"] == "/stations/alone/"


def test_the_counted_answer_costs_the_same_queries_at_any_size(
    client, make_station, django_assert_num_queries
):
    for number in range(4):
        make_station(latitude=21.5 + number * 0.2, amenities=["showers"])
    # Amenity choices, the cells, single stations, their amenity rows, hours, next events;
    # on PostgreSQL, after writes, folding the change log in (two statements).
    queries = 6 + (2 if connection.vendor == "postgresql" else 0)
    with django_assert_num_queries(queries):
        assert client.get(FEED, AREA).status_code == 200
    bulk_stations(400)
    for number in range(40):
        make_station(latitude=21.4 + number * 0.02, longitude=108.0 + number * 0.01)
    make_station(slug="alone", latitude=23.5, longitude=109.5)
    with django_assert_num_queries(queries):
        data = json.loads(client.get(FEED, AREA).content)
    assert sum(f["properties"].get("count", 1) for f in data["features"]) == 445
    assert "alone" in [f["id"] for f in data["features"]]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's triggers update the cells directly"
)
def test_postgresql_writes_append_to_the_log_and_the_feed_folds_it(db):
    """Writes only append to the change log (no cell row is rewritten per write: that was
    quadratic in a long transaction); folding adds each cell's sum once, and a second fold
    finds nothing to add."""
    from stations.models import StationGridChange

    bulk_stations(20)
    for number in range(30):
        raw_insert(f"one-by-one-{number}", 21.6 + number * 0.001, 108.3)
    assert StationGridChange.objects.count() > 0
    # Nothing folded yet: the cells table has not been written since the migration.
    assert not StationGridCell.objects.exists()
    StationGridCell.objects.fold_changes()
    assert not StationGridChange.objects.exists()
    assert_counts_right()
    before = counted()
    StationGridCell.objects.fold_changes()
    assert counted() == before
    Station.objects.filter(slug__startswith="one-by-one-").delete()
    assert_counts_right()
