"""Stations benchmark: nearby query time at 1k/10k/100k stations, and page throughput.

Run with `make bench` (or `.venv/bin/python bench/stations.py`). Everything happens on
loopback against a throwaway SQLite database under /tmp, bounded in time:
1. Nearby selection (SQL distance with bounding box, widening radius, amenities and
   hours prefetched) for 200 random origins at 1k, 10k and 100k stations: median and p95.
2. gunicorn (2 workers) throughput of /stations/ and /stations/nearby/ as a ratio to a
   bare view under the same middleware, with wrk when installed, else a Python loop.
"""

import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="driverhome-bench-"))
DB = WORK / "bench.sqlite3"
ENV = {
    "DATABASE_URL": f"sqlite:///{DB}",
    "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "STATIC_MANIFEST": "0",
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import prefetch_related_objects  # noqa: E402

from stations.models import Amenity, Station, StationAmenity  # noqa: E402
from stations.querysets import display_prefetches  # noqa: E402

SIZES = [1_000, 10_000, 100_000]
ORIGINS = 200
# The area the stations are spread over: Fangchenggang and its neighbours.
LAT_RANGE, LNG_RANGE = (21.3, 22.5), (107.6, 108.9)
PORT = (21.581, 108.362)
LOAD_SECONDS = 5


def add_stations(count: int, start: int, rng: random.Random) -> None:
    amenities = list(Amenity.objects.all())
    batch = 5_000
    for offset in range(0, count, batch):
        stations = [
            Station(
                name=f"基准站{start + offset + i}",
                slug=f"bench-{start + offset + i}",
                latitude=rng.uniform(*LAT_RANGE),
                longitude=rng.uniform(*LNG_RANGE),
                district="gangkou",
                published=True,
                open_24h=rng.random() < 0.6,
            )
            for i in range(min(batch, count - offset))
        ]
        Station.objects.bulk_create(stations)
        created = Station.objects.filter(slug__in=[s.slug for s in stations]).only("pk")
        StationAmenity.objects.bulk_create(
            StationAmenity(station=s, amenity=a) for s in created for a in rng.sample(amenities, 3)
        )


def nearby_query(lat: float, lng: float) -> None:
    Station.objects.published().nearest(lat, lng, limit=20)


def nearby_with_prefetch(lat: float, lng: float) -> None:
    stations, _radius = Station.objects.published().nearest(lat, lng, limit=20)
    prefetch_related_objects(stations, *display_prefetches())


def time_it(function, origins) -> tuple[float, float]:
    for lat, lng in origins[:10]:  # warm the page cache
        function(lat, lng)
    timings = []
    for lat, lng in origins:
        started = time.perf_counter()
        function(lat, lng)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95)]


def free_port() -> int:
    for port in range(8100, 8200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8100-8199")


def wait_until_up(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer at {url}")


def load_wrk(url: str) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{LOAD_SECONDS}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


def load_python(url: str) -> float:
    count = 0
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS

    def worker():
        nonlocal count
        while time.monotonic() < deadline:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                response.read()
            with lock:
                count += 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / LOAD_SECONDS


def throughput() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base + "/bench/bare")
        load = load_wrk if shutil.which("wrk") else load_python
        tool = "wrk -t2 -c8" if load is load_wrk else "Python loop, 8 threads"
        pages = {
            "bare view": "/bench/bare",
            "list /stations/": "/stations/",
            "nearby /stations/nearby/": f"/stations/nearby/?lat={PORT[0]}&lng={PORT[1]}",
        }
        results = {}
        for label, path in pages.items():
            wait_until_up(base + path)
            results[label] = load(base + path)
        print(f"\nthroughput: gunicorn 2 workers, {tool}, {LOAD_SECONDS} s each, loopback")
        bare = results["bare view"]
        for label, rate in results.items():
            print(f"  {label:<28} {rate:8.1f} req/s   {rate / bare:6.1%} of bare")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    rng = random.Random(1)
    call_command("migrate", verbosity=0)
    functions = connection.cursor().execute("SELECT sin(1)").fetchone()
    print(f"SQLite {connection.Database.sqlite_version}, sin(1)={functions[0]:.3f}")
    print(f"nearby, 20 nearest, {ORIGINS} random origins (median / p95 ms):")
    print("  stations   query (nearest(), widening radius)   + amenities and hours prefetched")
    have = 0
    medians = {}
    for size in SIZES:
        add_stations(size - have, have, rng)
        have = size
        connection.cursor().execute("ANALYZE")
        origins = [(rng.uniform(*LAT_RANGE), rng.uniform(*LNG_RANGE)) for _ in range(ORIGINS)]
        query = time_it(nearby_query, origins)
        full = time_it(nearby_with_prefetch, origins)
        medians[size] = query[0]
        print(
            f"  {size:>7}   {query[0]:6.2f} / {query[1]:6.2f}"
            f"                          {full[0]:6.2f} / {full[1]:6.2f}"
        )
    ratio = medians[SIZES[-1]] / medians[SIZES[0]]
    verdict = "ok" if ratio <= 3 and medians[SIZES[-1]] <= 10 else "MISSED"
    print(f"  query median 100k/1k = {ratio:.2f} (target <= 3, 100k median <= 10 ms): {verdict}")
    throughput()


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
