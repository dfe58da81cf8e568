"""Along-the-road benchmark: the "stations ahead" read at 1k, 10k and 100k stations on G228,
against the nearby read on the same database, in the same run.

    .venv/bin/python bench/ahead.py

A throwaway SQLite database under /tmp (nothing else is touched). Stations are spread
within 2 km of the demo G228 line; their positions are built by the same service the admin
uses (its time is reported too). For 200 random drivers on the line, in both directions:
- ahead: project the driver onto the line, select the 20 stations ahead in road order,
  prefetch amenities and hours (what the page lists);
- ahead + next-lines: the same and the four "next ..." lines (what the page reads);
- nearby: ``nearest()`` from the same points with the same prefetches.
Median and p95 in milliseconds, and each as a ratio to nearby. Last, the SQL queries of the
whole /en/stations/ahead/ page at each size (they must not grow).
"""

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="driverhome-bench-ahead-"))
DB = WORK / "bench.sqlite3"
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{DB}",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import prefetch_related_objects  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from stations import demo  # noqa: E402
from stations.ahead import NEXT_LINES  # noqa: E402
from stations.models import Amenity, RouteLine, Station, StationAmenity  # noqa: E402
from stations.querysets import display_prefetches  # noqa: E402
from stations.road.geometry import Line  # noqa: E402
from stations.road.services import route_line_positions_rebuild  # noqa: E402

SIZES = [1_000, 10_000, 100_000]
DRIVERS = 200
M_PER_DEG = 111_195.0


def add_stations(count: int, start: int, rng: random.Random) -> None:
    """Stations beside G228: a point along the line, up to about 1.8 km off it."""
    amenities = list(Amenity.objects.all())
    batch = 5_000
    for offset in range(0, count, batch):
        stations = []
        for i in range(min(batch, count - offset)):
            lng, lat = demo._along(demo.G228, rng.random())
            stations.append(
                Station(
                    name=f"路边基准站{start + offset + i}",
                    slug=f"bench-ahead-{start + offset + i}",
                    latitude=lat + rng.uniform(-1200, 1200) / M_PER_DEG,
                    longitude=lng + rng.uniform(-1200, 1200) / M_PER_DEG,
                    district="gangkou",
                    published=True,
                    open_24h=rng.random() < 0.6,
                )
            )
        Station.objects.bulk_create(stations)
        created = Station.objects.filter(slug__in=[s.slug for s in stations]).only("pk")
        StationAmenity.objects.bulk_create(
            StationAmenity(station=s, amenity=a) for s in created for a in rng.sample(amenities, 3)
        )


def drivers(rng: random.Random, line: Line) -> list[tuple[float, float, bool]]:
    points = []
    for _ in range(DRIVERS):
        lng, lat = demo._along(demo.G228, rng.random())
        points.append((lat, lng, rng.random() < 0.5))
    return points


def ahead_read(route: RouteLine, with_next: bool):
    line = Line(route.geometry["coordinates"])

    def read(lat: float, lng: float, towards_end: bool) -> None:
        here = line.project(lat, lng)
        base = Station.objects.published().ahead(
            route_id=route.pk,
            along_m=here.along_m,
            towards_end=towards_end,
            max_offset_m=settings.ROUTE_MAX_OFFSET_M,
        )
        stations = list(base[:20])
        prefetch_related_objects(stations, *display_prefetches())
        if with_next:
            now = timezone.now()
            for entry in NEXT_LINES:
                entry.predicate(base, now).only("name", "slug").first()

    return read


def nearby_read(lat: float, lng: float, _towards_end: bool) -> None:
    stations = Station.objects.published().nearest(lat, lng, limit=20)
    prefetch_related_objects(stations, *display_prefetches())


def time_it(function, points) -> tuple[float, float]:
    for point in points[:10]:  # warm the page cache
        function(*point)
    timings = []
    for point in points:
        started = time.perf_counter()
        function(*point)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95)]


def page_queries(lat: float, lng: float) -> int:
    client = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/en/stations/ahead/", {"lat": lat, "lng": lng, "way": "G228:end"})
    assert response.status_code == 200, response.status_code
    return len(captured)


def main() -> None:
    print(f"Throwaway database: {DB}")
    call_command("migrate", verbosity=0)
    route = RouteLine.objects.create(
        code="G228",
        geometry={"type": "LineString", "coordinates": [list(p) for p in demo.G228]},
        start_name_en="Qinzhou",
        end_name_en="Dongxing",
    )
    line = Line(route.geometry["coordinates"])
    rng = random.Random(14)
    points = drivers(random.Random(228), line)
    have = 0
    header = (
        f"{'stations':>9} {'build s':>8} | {'read':<18} {'median ms':>10} {'p95 ms':>8}"
        f" {'× nearby (median)':>18} {'× nearby (p95)':>15}"
    )
    print(header)
    print("-" * len(header))
    for size in SIZES:
        add_stations(size - have, have, rng)
        have = size
        started = time.perf_counter()
        on_line = route_line_positions_rebuild(route=route)
        build = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        nearby = time_it(nearby_read, points)
        rows = [
            ("nearby", nearby),
            ("ahead", time_it(ahead_read(route, with_next=False), points)),
            ("ahead + next-lines", time_it(ahead_read(route, with_next=True), points)),
        ]
        for index, (name, (median, p95)) in enumerate(rows):
            first = f"{size:>9,} {build:>8.1f}" if index == 0 else " " * 18
            print(
                f"{first} | {name:<18} {median:>10.2f} {p95:>8.2f}"
                f" {median / nearby[0]:>18.2f} {p95 / nearby[1]:>15.2f}"
            )
        queries = {page_queries(lat, lng) for lat, lng, _t in points[:5]}
        print(
            f"{'':>18} | stations on the line: {on_line:,};"
            f" SQL queries per ahead page: {sorted(queries)}"
        )


if __name__ == "__main__":
    main()
