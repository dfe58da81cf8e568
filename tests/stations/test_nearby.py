"""Nearby search: real distances, nearest first, one query, bad input."""

import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from geographiclib.geodesic import Geodesic

from stations import geo
from stations.models import Station

PORT = (21.58, 108.36)


@pytest.fixture
def scattered(make_station):
    """Sixty stations spread over the Fangchenggang area, a few unpublished or retired."""
    rng = random.Random(2025)
    stations = []
    for index in range(60):
        stations.append(
            make_station(
                latitude=rng.uniform(21.4, 22.3),
                longitude=rng.uniform(107.9, 108.7),
                published=index % 13 != 5,
                status=Station.Status.RETIRED if index % 17 == 3 else Station.Status.OPEN,
            )
        )
    return stations


def test_nearest_order_equals_a_full_scan_for_random_origins(scattered):
    rng = random.Random(99)
    visible = list(Station.objects.published())
    for _ in range(25):
        lat, lng = rng.uniform(21.3, 22.4), rng.uniform(107.8, 108.8)
        rows = Station.objects.published().nearest(lat, lng, limit=10)
        expected = sorted(
            visible, key=lambda s: (geo.haversine_m(lat, lng, s.latitude, s.longitude), s.pk)
        )[:10]
        assert [s.pk for s in rows] == [s.pk for s in expected]


def test_a_reused_statement_is_compiled_once_and_finds_the_same_stations(scattered, monkeypatch):
    from stations import querysets

    monkeypatch.setattr(querysets, "_statements", {})
    compiled = []
    real = querysets._NearbyStatement.__init__
    monkeypatch.setattr(
        querysets._NearbyStatement,
        "__init__",
        lambda self, *args: compiled.append(args[1]) or real(self, *args),
    )
    rng = random.Random(7)
    for _ in range(10):
        lat, lng = rng.uniform(21.3, 22.4), rng.uniform(107.8, 108.8)
        fresh = Station.objects.published().nearest_hits(lat, lng, limit=10)
        reused = Station.objects.published().nearest_hits(lat, lng, limit=10, reuse="published")
        assert [(h.pk, h.distance_m) for h in reused] == [(h.pk, h.distance_m) for h in fresh]
        # What the nearby page calls with no filter: the same statement, no queryset made.
        unfiltered = querysets.published_nearest_hits(lat, lng, limit=10)
        assert [(h.pk, h.distance_m) for h in unfiltered] == [(h.pk, h.distance_m) for h in fresh]
    # Each call without the name compiles; with it, once per limit.
    assert compiled.count(10) == 11
    Station.objects.published().nearest_hits(*PORT, limit=5, reuse="published")
    assert compiled[-1] == 5
    # Once compiled, the search with no filter makes no queryset at all.
    monkeypatch.setattr(querysets.StationQuerySet, "published", lambda self: pytest.fail())
    assert len(querysets.published_nearest_hits(*PORT, limit=10)) == 10


def test_sql_distances_match_geodesic_within_half_a_percent(scattered):
    rng = random.Random(5)
    for _ in range(20):
        lat, lng = rng.uniform(21.3, 22.4), rng.uniform(107.8, 108.8)
        rows = Station.objects.published().nearest(lat, lng, limit=20)
        for station in rows:
            exact = Geodesic.WGS84.Inverse(lat, lng, station.latitude, station.longitude)["s12"]
            assert station.distance_m == pytest.approx(exact, rel=0.005)


def test_one_query_reaches_as_far_as_the_nearest_stations_are(
    make_station, django_assert_num_queries
):
    near = make_station(latitude=21.581, longitude=108.361)
    far = [make_station(latitude=21.9 + i * 0.004, longitude=108.0) for i in range(12)]
    farther = make_station(latitude=30.0, longitude=120.0)
    with django_assert_num_queries(1):
        rows = Station.objects.published().nearest(*PORT, limit=20)
    assert rows[0] == near
    assert set(rows[1:13]) == set(far)
    assert rows[13] == farther
    with django_assert_num_queries(1):
        rows = Station.objects.published().nearest(*PORT, limit=5)
    assert rows[0] == near and len(rows) == 5


def test_filters_apply_inside_the_one_query(make_station, django_assert_num_queries):
    # Twenty stations without showers close by; the one with showers is 40 km away.
    for index in range(20):
        make_station(latitude=21.58 + index * 0.0005, longitude=108.36)
    showers = make_station(latitude=21.94, longitude=108.36, amenities=["showers"])
    with django_assert_num_queries(1):
        rows = Station.objects.published().with_amenities(["showers"]).nearest(*PORT, limit=20)
    assert rows == [showers]


def test_nearby_page_lists_nearest_first_with_distance(client, make_station):
    make_station("远处站", latitude=21.70, longitude=108.40)
    make_station("码头站", latitude=21.581, longitude=108.361)
    response = client.get(reverse("stations:nearby"), {"lat": "21.580", "lng": "108.360"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("码头站") < html.index("远处站")
    assert re.search(r'class="distance">1[0-9]{2} m<', html)
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_nearby_from_a_landmark(client, make_station):
    make_station("东兴站", latitude=21.55, longitude=107.98)
    make_station("港口站", latitude=21.58, longitude=108.36)
    html = client.get(reverse("stations:nearby"), {"place": "dongxing"}).content.decode()
    assert html.index("东兴站") < html.index("港口站")


def test_nearby_applies_the_filters(client, make_station):
    make_station("有淋浴", latitude=21.70, longitude=108.40, amenities=["showers"])
    make_station("无淋浴", latitude=21.581, longitude=108.361)
    html = client.get(
        reverse("stations:nearby"), {"lat": "21.58", "lng": "108.36", "amenity": "showers"}
    ).content.decode()
    assert "有淋浴" in html
    assert "无淋浴" not in html


def test_nearby_without_a_point_offers_location_and_places(client, db):
    response = client.get(reverse("stations:nearby"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="use-location"' in html
    assert 'value="dongxing"' in html
    assert "nearby-results" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"lat": "abc", "lng": "108.3"},
        {"lat": "91", "lng": "108.3"},
        {"lat": "21.5", "lng": "-181"},
        {"lat": "nan", "lng": "108.3"},
        {"lat": "inf", "lng": "108.3"},
        {"lat": "21.5"},
        {"lat": "21\x005", "lng": "108.3"},
        {"lat": "21.5", "lng": "108.3", "amenity": "jacuzzi"},
        {"lat": "21.5", "lng": "108.3", "q": "a\x00b"},
        {"lat": "21.5", "lng": "108.3", "route": "G999"},
        {"place": "atlantis"},
    ],
)
def test_nearby_bad_input_is_a_400_with_a_message(client, make_station, query):
    make_station()
    response = client.get(reverse("stations:nearby"), query)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_nearby_query_count_does_not_grow_with_stations(client, make_station, settings):
    def count_queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("stations:nearby"), {"lat": "21.58", "lng": "108.36"})
        assert response.status_code == 200
        return len(context.captured_queries)

    for index in range(12):
        make_station(latitude=21.58 + index * 0.001, longitude=108.36, amenities=["showers"])
    few = count_queries()
    for index in range(30):
        make_station(latitude=21.59 + index * 0.001, longitude=108.36, amenities=["hot_water"])
    assert count_queries() == few


def test_nearby_query_count_is_pinned(client, make_station, django_assert_num_queries):
    for index in range(15):
        make_station(latitude=21.58 + index * 0.001, longitude=108.36, amenities=["showers"])
    # Amenity choices, the nearest twenty, amenity rows, opening hours.
    with django_assert_num_queries(4):
        client.get(reverse("stations:nearby"), {"lat": "21.58", "lng": "108.36"})


def test_position_is_not_logged(client, make_station, caplog):
    make_station()
    with caplog.at_level("DEBUG"):
        client.get(reverse("stations:nearby"), {"lat": "21.587", "lng": "108.123"})
        client.get(reverse("stations:nearby"), {"lat": "91.587", "lng": "108.123"})
    assert "21.587" not in caplog.text
    assert "108.123" not in caplog.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_nearby_statement_is_prepared_once_and_reads_like_the_orm(make_station, settings):
    """On PostgreSQL the statement is prepared (parsed and planned once per connection), its
    rows read as the ORM reads them (datetimes in the same zone), and it is one query."""
    for index in range(5):
        make_station(f"站{index}", latitude=21.58 + index * 0.01, longitude=108.36)
    with CaptureQueriesContext(connection) as queries:
        first = Station.objects.published().nearest(21.58, 108.36, limit=3)
    assert len(queries.captured_queries) == 1

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                ["WITH nearby_pick AS%"],
            )
            return cursor.fetchone()[0]

    # Prepared at the first call (other filters in earlier tests have their own); another
    # driver elsewhere reuses it.
    before = prepared()
    assert before >= 1
    Station.objects.published().nearest(21.6, 108.3, limit=3)
    assert prepared() == before
    for station in first:
        again = Station.objects.get(pk=station.pk)
        assert (station.created_at, station.updated_at, station.name) == (
            again.created_at,
            again.updated_at,
            again.name,
        )
    settings.DB_PREPARED_NEARBY = False
    assert [s.pk for s in Station.objects.published().nearest(21.58, 108.36, limit=3)] == [
        s.pk for s in first
    ]


def test_nearest_equals_a_full_scan_across_the_world(make_station):
    """Southern latitudes, the equator, near the poles and across the antimeridian: the
    latitude bands (SQLite) and the boxes find what a full scan finds, filters included."""
    rng = random.Random(31)
    for index in range(150):
        make_station(
            latitude=rng.choice([rng.uniform(-89.9, 89.9), rng.uniform(-0.3, 0.3)]),
            longitude=rng.choice([rng.uniform(-180, 180), rng.uniform(179.5, 180)]),
            open_24h=index % 3 != 0,
        )
    everywhere = list(Station.objects.published())
    for _ in range(40):
        lat = rng.choice([rng.uniform(-90, 90), rng.uniform(-0.2, 0.2), -89.99, 89.99])
        lng = rng.choice([rng.uniform(-180, 180), 179.99, -179.99])
        for queryset, candidates in [
            (Station.objects.published(), everywhere),
            (
                Station.objects.published().filter(open_24h=True),
                [s for s in everywhere if s.open_24h],
            ),
        ]:
            rows = queryset.nearest(lat, lng, limit=7)
            expected = sorted(
                candidates,
                key=lambda s: (geo.haversine_m(lat, lng, s.latitude, s.longitude), s.pk),
            )[:7]
            assert [s.pk for s in rows] == [s.pk for s in expected], (lat, lng)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's latitude bands")
def test_sqlite_reads_the_box_from_the_band_index_alone(make_station):
    """The statement's band expression is the index's (else SQLite would not use it), and
    the box's nearest ids come from the index without reading rows."""
    from stations import querysets

    make_station(latitude=21.58, longitude=108.36)
    statement = querysets._NearbyStatement(Station.objects.published(), 20)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + statement.sql, statement.params(21.58, 108.36))
        plan = [row[-1] for row in cursor.fetchall()]
    band_reads = [step for step in plan if "stations_station_band" in step]
    # Each radius's count and the box: all on the covering band index.
    assert len(band_reads) == len(querysets.NEARBY_RADII_M) + 1
    assert all("COVERING INDEX" in step for step in band_reads)
    assert not any("stations_station_latlng" in step for step in plan)


@pytest.mark.parametrize(
    ("low", "high"),
    [(-0.5549, -0.5541), (-0.0061, -0.0039), (-0.0049, 0.0049), (21.5799, 21.5801), (-89.9, -89.8)],
)
def test_a_box_lists_every_band_its_stations_fall_in(make_station, low, high):
    """Whatever the database's integer cast does (SQLite truncates, PostgreSQL rounds), the
    bands nearby lists for a box hold every station inside it."""
    from django.db.models import Max, Min

    from stations.querysets import LatitudeBand, _band_range

    for step in range(11):
        make_station(latitude=low + (high - low) * step / 10, longitude=108.36)
    found = Station.objects.annotate(band=LatitudeBand("latitude")).aggregate(
        low=Min("band"), high=Max("band")
    )
    first, last = _band_range(low, high)
    assert first <= found["low"] <= found["high"] <= last
