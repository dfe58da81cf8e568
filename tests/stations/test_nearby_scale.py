"""Nearby at scale: the same stations as a full scan at 1k and 100k stations, one query.

The reference is a full scan in Python over every published station (haversine, ties by
id); the stations go in with one raw ``executemany`` so that 100k take about a second.
"""

import heapq
import math
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stations.models import Station

LAT_RANGE, LNG_RANGE = (21.3, 22.5), (107.6, 108.9)


def insert_stations(count: int, rng: random.Random) -> None:
    """Insert ``count`` stations (a few unpublished or retired) with one executemany."""
    template = Station(name="x", slug="x", latitude=0, longitude=0)
    now = timezone.now()
    fields = [f for f in Station._meta.concrete_fields if not f.primary_key]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            setattr(template, field.attname, now)
    base = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    rows = []
    for number in range(count):
        values = dict(base)
        values.update(
            name=f"规模站{number}",
            slug=f"scale-{number}",
            latitude=rng.uniform(*LAT_RANGE),
            longitude=rng.uniform(*LNG_RANGE),
            published=number % 29 != 3,
            status="retired" if number % 31 == 7 else "open",
        )
        rows.append([values[f.attname] for f in fields])
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Station._meta.db_table} ({columns}) VALUES ({marks})",  # noqa: S608
            rows,
        )


def full_scan(points, lat: float, lng: float, limit: int) -> list[int]:
    """The ``limit`` nearest (haversine order, ties by id) among every point."""
    phi0, lmb0 = math.radians(lat), math.radians(lng)
    cos0 = math.cos(phi0)
    sin, cos = math.sin, math.cos

    def key(point):
        pk, phi, lmb = point
        # The haversine's argument grows with the distance: same order, no asin.
        return (sin((phi - phi0) / 2) ** 2 + cos0 * cos(phi) * sin((lmb - lmb0) / 2) ** 2, pk)

    return [pk for _key, pk in (heapq.nsmallest(limit, ((key(p), p[0]) for p in points)))]


def check_origins(count: int, seed: int) -> None:
    rng = random.Random(seed)
    insert_stations(count, rng)
    points = [
        (pk, math.radians(lat), math.radians(lng))
        for pk, lat, lng in Station.objects.published().values_list("pk", "latitude", "longitude")
    ]
    # Origins inside the area, on its edges and well outside it (sparse: the whole world).
    origins = [(rng.uniform(21.0, 22.8), rng.uniform(107.3, 109.2)) for _ in range(190)]
    origins += [(rng.uniform(-10, 40), rng.uniform(90, 130)) for _ in range(10)]
    for lat, lng in origins:
        with CaptureQueriesContext(connection) as queries:
            rows = Station.objects.published().nearest(lat, lng, limit=20)
        assert len(queries.captured_queries) == 1
        assert [s.pk for s in rows] == full_scan(points, lat, lng, 20), (lat, lng)
        assert [s.distance_m for s in rows] == sorted(s.distance_m for s in rows)


@pytest.mark.django_db
def test_nearby_equals_a_full_scan_for_200_origins_at_1k_stations():
    check_origins(1_000, seed=16)


@pytest.mark.slow
@pytest.mark.django_db
def test_nearby_equals_a_full_scan_for_200_origins_at_100k_stations():
    check_origins(100_000, seed=100)
