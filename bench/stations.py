"""Public pages and nearby at scale (issue 16): ratios to a bare view, query counts, sizes.

Run with `make bench` (or `.venv/bin/python bench/stations.py`; `--quick` for one round).
Everything happens on loopback against throwaway databases, in one run:

1. The nearby query (``Station.objects.published().nearest``, the 20 nearest, one query)
   for 200 random origins at 1k, 10k and 100k stations, on SQLite and on PostgreSQL
   (database ``driverhome_nearby_bench`` at BENCH_POSTGRES_URL, default
   postgres://postgres@127.0.0.1:5432/…, skipped when unreachable): median and p95 in ms.
2. Every public page at the demo size (``seed_demo``) and at 100,000 stations, served by
   gunicorn (2 sync workers, production settings, ``bench.settings`` adds the bare view)
   with Redis and with the database cache: requests per second as a ratio to the bare view
   under the same server, measured in interleaved rounds (bare, page, page, …; median of
   the rounds), with wrk (gzip accepted, as phones do) when installed, else a Python loop.
   Beside each ratio: the queries of a first (page-cache miss) and a second request (hit),
   read in-process with Django's test client, and the compressed size of the response.
   Nearby is measured twice: from one point (every driver at the port: after the first
   request its cards and shell are cached), and from a new random point in the area for
   every request (``NEARBY_SPREAD``; at 100,000 stations most cards are then rendered
   afresh: the worst case, not a goal).
"""

import contextlib
import gzip
import io
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
QUICK = "--quick" in sys.argv or os.environ.get("BENCH_QUICK") == "1"
SIZES = [1_000, 10_000, 100_000]
ORIGINS = 200
ROUNDS = 1 if QUICK else 3
LOAD_SECONDS = 1
# The area the stations are spread over: Fangchenggang and its neighbours.
LAT_RANGE, LNG_RANGE = (21.3, 22.5), (107.6, 108.9)
PORT = (21.581, 108.362)
# The nearby row whose every request asks from a new random point (see load_wrk).
NEARBY_SPREAD = "nearby, a new point each request"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/driverhome_nearby_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
BASE_ENV = {
    "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "STATIC_MANIFEST": "0",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "HELP_RATE_PER_IP": "0/600",
}


# --- In the child processes (Django set up with the child's database) --------------------


def insert_stations(count: int, start: int, rng: random.Random) -> None:
    """Add ``count`` published stations with three amenities each, by raw executemany."""
    from django.db import connection, transaction
    from django.utils import timezone

    from stations.models import Amenity, Station, StationAmenity

    template = Station(name="x", slug="x", latitude=0, longitude=0)
    now = timezone.now()
    fields = [f for f in Station._meta.concrete_fields if not f.primary_key]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            setattr(template, field.attname, now)
    base = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    rows = []
    for number in range(start, start + count):
        values = dict(
            base,
            name=f"基准站{number}",
            slug=f"bench-{number}",
            latitude=rng.uniform(*LAT_RANGE),
            longitude=rng.uniform(*LNG_RANGE),
            published=True,
            open_24h=rng.random() < 0.6,
        )
        rows.append([values[f.attname] for f in fields])
    amenities = list(Amenity.objects.values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {Station._meta.db_table} ({columns}) VALUES ({marks})",  # noqa: S608
            rows,
        )
        ids = Station.objects.filter(slug__startswith="bench-").values_list("pk", flat=True)
        ids = list(ids.order_by("-pk")[:count])
        link = StationAmenity._meta
        cursor.executemany(
            f"INSERT INTO {link.db_table} (station_id"  # noqa: S608
            f", amenity_id, is_free, price_note,"
            " live_status, status_note, updated_at) VALUES (%s, %s, %s, '', 'available', '', %s)",
            [(pk, a, True, now) for pk in ids for a in rng.sample(amenities, 3)],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def child_nearby() -> None:
    """Time nearest() at each size on this process's database; print one line per size."""
    from django.core.management import call_command
    from django.db import connection

    from stations.models import Station

    call_command("migrate", verbosity=0)
    rng = random.Random(1)
    have = 0
    for size in SIZES:
        insert_stations(size - have, have, rng)
        have = size
        origins = [(rng.uniform(*LAT_RANGE), rng.uniform(*LNG_RANGE)) for _ in range(ORIGINS)]
        for lat, lng in origins[:10]:
            Station.objects.published().nearest(lat, lng, limit=20)
        timings = []
        for lat, lng in origins:
            started = time.perf_counter()
            Station.objects.published().nearest(lat, lng, limit=20)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        median, p95 = statistics.median(timings), timings[int(len(timings) * 0.95)]
        load = os.getloadavg()[0]
        print(
            f"  {connection.vendor:<10} {size:>7}   {median:6.2f} / {p95:6.2f}"
            f"   (load average {load:.1f} on {os.cpu_count()} cores)",
            flush=True,
        )


def public_pages() -> dict[str, str]:
    """Label -> path of every public page and feed, on this database."""
    from events.models import Event
    from stations.models import Station

    station = Station.objects.published().order_by("pk").first()
    event = Event.objects.upcoming().first() or Event.objects.filter(published=True).first()
    in_order = Station.objects.published().in_driver_order()
    stations = in_order.count()
    # The last page of the list, by the station before it (keyset; the bench may OFFSET).
    deep = in_order[max(0, stations - 21)]
    pages = {
        "home /": "/",
        "list /stations/": "/stations/",
        "list, last page": f"/stations/?after={deep.pk}",
        "list /en/stations/": "/en/stations/",
        "nearby": f"/stations/nearby/?lat={PORT[0]}&lng={PORT[1]}",
        # A point of the area; under load each request asks from a new one (load_wrk).
        NEARBY_SPREAD: f"/stations/nearby/?lat={LAT_RANGE[0]}&lng={LNG_RANGE[0]}",
        "station page": f"/stations/{station.slug}/",
        "events /events/": "/events/",
        "event page": f"/events/{event.pk}/" if event else "/events/",
        "iCal /events.ics": "/events.ics",
        "RSS /events/feed/": "/events/feed/",
        "Atom /events/feed/atom/": "/events/feed/atom/",
        "help form /help/": "/help/",
    }
    if stations < 10_000:
        # The full GeoJSON export is the map helper's (issue 16 item 4): at the demo size only.
        pages["GeoJSON /stations.geojson"] = "/stations.geojson"
    return pages


def child_pages(size: str, cache_name: str) -> None:
    """Count queries and sizes in-process, then measure gunicorn; print the table."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    with contextlib.redirect_stdout(io.StringIO()):
        call_command("seed_demo", verbosity=0)
    if size == "100k":
        from stations.models import Station

        insert_stations(100_000 - Station.objects.count(), 0, random.Random(2))
    cache.clear()
    pages = public_pages()
    client = Client(HTTP_ACCEPT_ENCODING="gzip")
    counts = {}
    rng = random.Random(3)
    for label, path in pages.items():
        measured = []
        for _ in range(2):
            if label == NEARBY_SPREAD:
                path = spread_url(path, rng)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            measured.append(len(queries.captured_queries))
        body = response.content
        size_gz = (
            len(body) if response.get("Content-Encoding") == "gzip" else len(gzip.compress(body))
        )
        counts[label] = (measured[0], measured[1], size_gz)
    # Nearby from a new point each request renders and stores most of its cards: measured
    # on its own afterwards, so that its writes (the database cache's above all) do not
    # burden the other pages' rounds, against its own run's bare view.
    spread = {NEARBY_SPREAD: pages.pop(NEARBY_SPREAD)}
    rates = serve_and_load({"bare view": "/bench/bare", **pages})
    spread_rates = serve_and_load({"bare view": "/bench/bare", **spread})
    bare = statistics.median(rates["bare view"])
    print(
        f"\n{size} stations, {cache_name} cache: ratio to the bare view ({bare:.0f} req/s;"
        f" load average {os.getloadavg()[0]:.1f})"
    )
    print(f"  {'page':<32} {'req/s':>7} {'ratio':>6}   queries miss/hit   gzip bytes")
    for label, run in [*((label, rates) for label in pages), (NEARBY_SPREAD, spread_rates)]:
        rate = statistics.median(run[label])
        ratio = rate / statistics.median(run["bare view"])
        miss, hit, size_gz = counts[label]
        print(f"  {label:<32} {rate:7.0f} {ratio:6.3f}   {miss:>6} / {hit:<6}   {size_gz:>10,}")
    print(
        f"  ({NEARBY_SPREAD}: its own run, bare view"
        f" {statistics.median(spread_rates['bare view']):.0f} req/s)"
    )


def free_port() -> int:
    for port in range(8100, 8300):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8100-8299")


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer at {url}")


# wrk's script for NEARBY_SPREAD: every request from a new random point of the area.
SPREAD_LUA = f"""
math.randomseed(os.time())
request = function()
  local lat = {LAT_RANGE[0]} + math.random() * {LAT_RANGE[1] - LAT_RANGE[0]}
  local lng = {LNG_RANGE[0]} + math.random() * {LNG_RANGE[1] - LNG_RANGE[0]}
  return wrk.format("GET", string.format("/stations/nearby/?lat=%.5f&lng=%.5f", lat, lng))
end
"""


def spread_url(url: str, rng: random.Random) -> str:
    """The nearby URL with a new random point (the Python loop's NEARBY_SPREAD)."""
    base = url.split("?", 1)[0]
    lat, lng = rng.uniform(*LAT_RANGE), rng.uniform(*LNG_RANGE)
    return f"{base}?lat={lat:.5f}&lng={lng:.5f}"


def load_wrk(url: str, spread: bool = False) -> float:
    command = ["wrk", "-t2", "-c8", f"-d{LOAD_SECONDS}s", "-H", "Accept-Encoding: gzip"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if spread:
            script.write(SPREAD_LUA)
            script.flush()
            command += ["-s", script.name]
        out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


def load_python(url: str, spread: bool = False) -> float:
    count = 0
    lock = threading.Lock()
    deadline = time.monotonic() + LOAD_SECONDS

    def worker():
        nonlocal count
        rng = random.Random()
        while time.monotonic() < deadline:
            target = spread_url(url, rng) if spread else url
            request = urllib.request.Request(target, headers={"Accept-Encoding": "gzip"})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                response.read()
            with lock:
                count += 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / LOAD_SECONDS


def serve_and_load(pages: dict[str, str]) -> dict[str, list[float]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
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
        env=dict(os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load = load_wrk if shutil.which("wrk") else load_python
    rates: dict[str, list[float]] = {label: [] for label in pages}
    try:
        for path in pages.values():
            wait_until_up(base + path)
        for _round in range(ROUNDS):
            for label, path in pages.items():
                rates[label].append(load(base + path, spread=label == NEARBY_SPREAD))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return rates


# --- The parent: one child process per database and cache ---------------------------------


def run_child(args: list[str], env: dict) -> bool:
    env = {**os.environ, **env, "BENCH_QUICK": "1" if QUICK else "0"}
    result = subprocess.run([sys.executable, __file__, *args], cwd=ROOT, env=env, check=False)
    return result.returncode == 0


def postgres_ready() -> bool:
    import psycopg

    admin = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"
    name = POSTGRES_URL.rsplit("/", 1)[1]
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
            db.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return False
    return True


def redis_flush() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).flushdb()
    except redis.RedisError:
        return False
    return True


def main() -> int:
    failures = 0
    work = Path(tempfile.mkdtemp(prefix="driverhome-bench-"))
    static = work / "static"
    static.mkdir()
    started = time.monotonic()
    tool = "wrk -t2 -c8 (gzip)" if shutil.which("wrk") else "Python loop, 8 threads"
    try:
        print(f"nearby: the 20 nearest, one query, {ORIGINS} random origins (median / p95 ms)")
        print(f"  {'engine':<10} {'stations':>7}   median /    p95   (target <= 5 ms at 100k)")
        failures += not run_child(
            ["--child-nearby"], {**BASE_ENV, "DATABASE_URL": f"sqlite:///{work / 'nearby.sqlite3'}"}
        )
        if postgres_ready():
            failures += not run_child(
                ["--child-nearby"], {**BASE_ENV, "DATABASE_URL": POSTGRES_URL}
            )
        else:
            print("  postgresql: not reachable at BENCH_POSTGRES_URL, skipped")
        print(
            f"\npages: gunicorn 2 sync workers, {tool}, {LOAD_SECONDS} s a page,"
            f" {ROUNDS} interleaved rounds, medians; SQLite"
        )
        for size in ("demo", "100k"):
            for cache_name in ("Redis", "database"):
                env = {
                    **BASE_ENV,
                    "DATABASE_URL": f"sqlite:///{work / f'{size}-{cache_name}.sqlite3'}",
                    # No collected static files are needed: pages only name them.
                    "STATIC_ROOT": str(static),
                }
                if cache_name == "Redis":
                    if not redis_flush():
                        print(f"\n{size}: Redis not reachable at BENCH_REDIS_URL, skipped")
                        continue
                    env["REDIS_URL"] = REDIS_URL
                else:
                    env["REDIS_URL"] = ""
                failures += not run_child(["--child-pages", size, cache_name], env)
        print(f"\nstations benchmark: {time.monotonic() - started:.0f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


def child_main() -> None:
    import django

    django.setup()
    if sys.argv[1] == "--child-nearby":
        child_nearby()
    else:
        child_pages(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("--child"):
        child_main()
    else:
        sys.exit(main())
