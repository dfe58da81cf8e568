"""The map page and its feed at the demo's 60 stations and at 100,000: size and time.

    .venv/bin/python bench/map_feed.py

A throwaway SQLite database under /tmp: the demo data, then 100,000 more stations spread
over the demo area (bulk_create, three amenities each). For each size, measured in the same
process through Django's test client (the full middleware stack, GZip included): the map
page and the first view's feed answer it announces (bytes compressed), and the feed for a
few views (bytes compressed, queries, median time of 20 requests). The map page must weigh
the same at both sizes (within 10 %), and no answer may grow with the number of stations.

The whole area zoomed out is measured twice: as it is answered (from the grid's cell
counts, ``StationGridCell``) and as it was before them ("scan"): the same request with the
feed told that a filter is on, which groups every station in the box. The time to add the
100,000 stations (through the grid triggers) is printed too.
"""

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="driverhome-mapfeed-"))
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        # The feed's own cost, not the shared page cache's (every repeat would be a hit).
        "PAGE_CACHE": "0",
    }
)
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from stations.forms import StationFilterForm  # noqa: E402
from stations.models import Amenity, Station, StationAmenity  # noqa: E402

LARGE = 100_000
LAT_RANGE, LNG_RANGE = (21.3, 22.5), (107.6, 108.9)
AREA = "bbox=106.875,21.09375,109.6875,23.90625&zoom=9"
VIEWS = {
    "area, zoom 9": AREA,
    "city, zoom 12": "bbox=108.28125,21.5625,108.45703,21.73828&zoom=12",
    # A feed tile as the map asks for it (feeds.tiles_bbox, 7 decimals): on the grid.
    "city, zoom 12, map's tile": "bbox=108.28125,21.6210938,108.4570312,21.796875&zoom=12",
    "street, zoom 16": "bbox=108.34,21.6,108.35,21.61&zoom=16",
    "near a point": "near=21.6,108.35",
    "no query (capped)": "",
}


def add_stations(count: int, rng: random.Random) -> None:
    amenities = list(Amenity.objects.all())
    for offset in range(0, count, 5_000):
        batch = [
            Station(
                name=f"地图基准站{offset + i}",
                slug=f"map-bench-{offset + i}",
                latitude=rng.uniform(*LAT_RANGE),
                longitude=rng.uniform(*LNG_RANGE),
                published=True,
                open_24h=rng.random() < 0.6,
            )
            for i in range(min(5_000, count - offset))
        ]
        Station.objects.bulk_create(batch)
        created = Station.objects.filter(slug__in=[s.slug for s in batch]).only("pk")
        StationAmenity.objects.bulk_create(
            StationAmenity(station=s, amenity=a) for s in created for a in rng.sample(amenities, 3)
        )


@contextmanager
def scanning():
    """The feed as it was before the grid's cell counts: every view grouped from the
    stations (what a filtered view still costs)."""
    original = StationFilterForm.is_filtered
    StationFilterForm.is_filtered = lambda self: True
    try:
        yield
    finally:
        StationFilterForm.is_filtered = original


def timed(client: Client, url: str) -> tuple[int, int, float]:
    """Compressed bytes, queries, and the median milliseconds of 20 requests."""
    gzip = {"accept-encoding": "gzip"}
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        body = client.get(url, headers=gzip).content
    times = []
    for _ in range(20):
        began = time.perf_counter()
        client.get(url, headers=gzip)
        times.append((time.perf_counter() - began) * 1000)
    return len(body), len(queries), statistics.median(times)


def measure(client: Client) -> dict:
    gzip = {"accept-encoding": "gzip"}
    cache.clear()
    page = client.get("/stations/map/", headers=gzip)
    first = page.content  # compressed
    html = client.get("/stations/map/").content.decode()
    start = html.index('id="map-data" type="application/json">') + 38
    import json

    data = json.loads(html[start : html.index("</script>", start)])
    figures: dict = {"map page": (len(first), None, None)}
    feeds = {"first view (announced)": data["initial"]["url"].split("?", 1)[1], **VIEWS}
    for name, query in feeds.items():
        url = "/stations.geojson" + (f"?{query}" if query else "")
        figures[name] = timed(client, url)
    with scanning():
        figures["area, zoom 9, scan (before)"] = timed(client, f"/stations.geojson?{AREA}")
    return figures


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    client = Client()
    small_count = Station.objects.published().count()
    small = measure(client)
    began = time.perf_counter()
    add_stations(LARGE, random.Random(16))
    added = time.perf_counter() - began
    connection.cursor().execute("ANALYZE")
    reset_queries()
    large = measure(client)
    large_count = Station.objects.published().count()
    print(f"{'':26} {small_count:>7} stations               {large_count:>7} stations")
    print(
        f"{'':26} {'gzip B':>8} {'queries':>7} {'ms':>6}    {'gzip B':>8} {'queries':>7} {'ms':>6}"
    )
    for name in small:
        a, b = small[name], large[name]
        row = f"{name:26} {a[0]:>8} {a[1] if a[1] is not None else '':>7} "
        row += f"{a[2]:6.1f}" if a[2] is not None else " " * 6
        row += f"    {b[0]:>8} {b[1] if b[1] is not None else '':>7} "
        row += f"{b[2]:6.1f}" if b[2] is not None else ""
        print(row)
    print(f"adding {LARGE} stations (bulk_create, 5,000 a batch, amenities): {added:.1f} s")
    ratio = large["map page"][0] / small["map page"][0]
    verdict = "ok" if abs(ratio - 1) <= 0.10 else "MISSED"
    print(
        f"map page at {large_count} / at {small_count} stations: {ratio:.3f}",
        f"(within 10 %: {verdict})",
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
