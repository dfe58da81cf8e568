"""Staff pages at the city's scale, on SQLite and PostgreSQL: medians and query counts.

Run with `make bench-staff` (or `.venv/bin/python bench/staff_scale.py`). For each engine
a child process migrates a throwaway database (SQLite under /tmp; PostgreSQL database
``driverhome_scale_bench`` at BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/driverhome_scale_bench, skipped when unreachable), loads
the city's scale with bench/scale_data.py, then times each page **in-process with Django's
test client, DEBUG off** (server-side time: URL routing, middleware, views, templates, SQL;
no network, no gunicorn). Each figure is the median of RUNS requests after one warm-up;
the query count and SQL time are read at the database driver on the same requests (SQL time
is what would grow with the tables; the rest is Python and templates, which the machine's
load inflates: the load average is printed). The person export is a job: "request" is
the POST that queues it (the web request's whole time), "worker" the ``run_exports`` build,
"download" the one-time fetch, "total" their sum.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RUNS = 7
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/driverhome_scale_bench"
)
BASE_ENV = {
    "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "DEBUG": "0",
    "ALLOWED_HOSTS": "testserver,127.0.0.1",
    "SECURE_SSL_REDIRECT": "0",
    "STATIC_MANIFEST": "0",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "bench.settings",
}


def child() -> None:
    """Load the data and time the pages on the database DATABASE_URL names."""
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from bench import scale_data
    from members import exports
    from members.models import AccessLog, ExportJob, Person

    work = Path(tempfile.mkdtemp(prefix="driverhome-scale-"))
    from django.conf import settings

    settings.PRIVATE_MEDIA_ROOT = work / "private"
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    ids = scale_data.load()
    results: dict = {
        "load_seconds": ids["seconds"],
        "access_log_rows": AccessLog.objects.count(),
        "events": ids["events"],
        "pages": {},
    }

    def client_for(key: str | None) -> Client:
        client = Client()
        if key:
            user = User.objects.get(pk=ids[key])
            client.force_login(user)
            # Staff with personal data pass the second factor: a verified session, as after
            # the code page (accounts.twofactor).
            from django_otp.plugins.otp_totp.models import TOTPDevice

            from accounts import twofactor

            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="bench", defaults={"confirmed": True}
            )
            session = client.session
            session[twofactor.DEVICE_KEY] = device.persistent_id
            session[twofactor.VERIFIED_AT_KEY] = time.time()
            session.save()
        return client

    def consume(response) -> None:
        if response.streaming:
            b"".join(response.streaming_content)

    def measure(label: str, who: str | None, url: str, *, before=None) -> None:
        client = client_for(who)
        if before:
            before()
        response = client.get(url)
        consume(response)
        assert response.status_code == 200, (label, response.status_code)
        times, sql_times, counts = [], [], []
        for _ in range(RUNS):
            if before:
                before()
            # Queries counted and timed at the database driver (works with DEBUG off).
            calls: list[float] = []

            def timed(execute, sql, params, many, context, calls=calls):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    calls.append(time.perf_counter() - started)

            with connection.execute_wrapper(timed):
                started = time.perf_counter()
                consume(client.get(url))
                times.append((time.perf_counter() - started) * 1000)
            sql_times.append(sum(calls) * 1000)
            counts.append(len(calls))
        results["pages"][label] = {
            "ms": round(statistics.median(times), 1),
            "sql_ms": round(statistics.median(sql_times), 1),
            "queries": max(counts),
        }

    load_before = os.getloadavg()[0]
    person_type = ContentType.objects.get_for_model(Person, for_concrete_model=False)
    log = reverse("admin:members_accesslog_changelist")
    queue = reverse("helpdesk:staff-queue")
    last_page = -(-scale_data.REQUESTS // 50)
    measure("bare view (baseline)", None, "/bench/bare")
    measure("access-log admin, first page", "superuser", log)
    measure("access-log admin, by user", "superuser", f"{log}?user={ids['officer']}")
    measure(
        "access-log admin, reads of record X",
        "superuser",
        f"{log}?q={ids['person']}&content_type__id__exact={person_type.pk}",
    )
    measure(
        "access-log admin, one month",
        "superuser",
        f"{log}?at__gte=2026-01-01+00:00:00%2B08:00&at__lt=2026-02-01+00:00:00%2B08:00",
    )
    measure(
        "person admin list (committee officer)",
        "committee_officer",
        reverse("admin:members_person_changelist"),
    )
    measure("help admin list", "superuser", reverse("admin:helpdesk_helprequest_changelist"))
    measure("dispatcher queue, open, page 1", "dispatcher", queue)
    measure("dispatcher queue, all, page 1", "dispatcher", f"{queue}?state=all")
    measure("dispatcher queue, all, last page", "dispatcher", f"{queue}?state=all&page={last_page}")
    measure(
        "overview, page 1 (committee officer)", "committee_officer", reverse("members:overview")
    )
    measure("public figures (cached)", None, reverse("helpdesk:figures"))
    measure(
        "public figures (cold: cache cleared)",
        None,
        reverse("helpdesk:figures"),
        before=cache.clear,
    )

    # The person export: every person in the superuser's scope (all 14,252).
    for fmt in ("csv", "xlsx"):
        client = client_for("superuser")
        timing = {"request": [], "worker": [], "download": []}
        runs = 3
        for _ in range(runs):
            started = time.perf_counter()
            response = client.post(reverse("admin:members_person_export"), {"format": fmt})
            timing["request"].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302
            started = time.perf_counter()
            job = exports.export_job_run(job=exports.export_job_claim_next())
            timing["worker"].append((time.perf_counter() - started) * 1000)
            assert job.status == ExportJob.Status.DONE and job.rows_total == 14_252, job.status
            started = time.perf_counter()
            download = client.post(reverse("members:export-job-download", args=[job.pk]))
            consume(download)
            timing["download"].append((time.perf_counter() - started) * 1000)
        medians = {k: round(statistics.median(v), 1) for k, v in timing.items()}
        medians["total"] = round(sum(medians.values()), 1)
        results["pages"][f"person export {fmt.upper()}: request (TTFB)"] = {
            "ms": medians["request"],
            "queries": None,
        }
        results["pages"][f"person export {fmt.upper()}: worker build"] = {
            "ms": medians["worker"],
            "queries": None,
        }
        results["pages"][f"person export {fmt.upper()}: download"] = {
            "ms": medians["download"],
            "queries": None,
        }
        results["pages"][f"person export {fmt.upper()}: total"] = {
            "ms": medians["total"],
            "queries": None,
        }
    results["load"] = "/".join(f"{v:.1f}" for v in (load_before, os.getloadavg()[0]))
    print("RESULT " + json.dumps(results), flush=True)


def _postgres_ready() -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    base, _, name = POSTGRES_URL.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return False
    return True


def run(engine: str, url: str) -> dict | None:
    env = {**os.environ, **BASE_ENV, "DATABASE_URL": url}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, __file__, "--child"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    for line in result.stdout.splitlines():
        if line.startswith("RESULT "):
            data = json.loads(line[len("RESULT ") :])
            data["wall_seconds"] = round(time.monotonic() - started)
            return data
    print(f"{engine} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}", file=sys.stderr)
    return None


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="driverhome-scale-"))
    engines = {"SQLite": f"sqlite:///{work / 'scale.sqlite3'}"}
    if _postgres_ready():
        engines["PostgreSQL"] = POSTGRES_URL
    results = {}
    for engine, url in engines.items():
        print(f"{engine}: loading the city's scale and timing pages…", flush=True)
        data = run(engine, url)
        if data:
            results[engine] = data
            print(
                f"  loaded in {data['load_seconds']} s: {data['access_log_rows']:,} access-log "
                f"rows, {data['events']:,} help events",
                flush=True,
            )
    if not results:
        return 1
    names = list(results)
    labels = list(next(iter(results.values()))["pages"])
    width = max(len(label) for label in labels)
    column = 26
    header = f"{'median ms (SQL ms, queries)':<{width}}" + "".join(
        f" | {n:>{column}}" for n in names
    )
    print("\n" + header + "\n" + "-" * len(header))
    slow = []
    for label in labels:
        cells = []
        for name in names:
            page = results[name]["pages"].get(label)
            if page is None:
                cells.append(f" | {'–':>{column}}")
                continue
            detail = "" if page["queries"] is None else f"({page['sql_ms']}, {page['queries']} q)"
            cells.append(f" | {page['ms']:>9.1f} {detail:>16}")
            staff = not label.startswith(("person export", "bare", "public"))
            if name == "SQLite" and staff and page["ms"] > 300:
                slow.append(label)
        print(f"{label:<{width}}" + "".join(cells))
    print(
        "Load average (1 min) during the runs: "
        + ", ".join(f"{n} {results[n]['load']}" for n in names)
    )
    print(
        "\nIn-process Django test client, DEBUG off; median of "
        f"{RUNS} (exports: of 3). Target: every staff page ≤ 300 ms on SQLite."
    )
    if slow:
        print("Over target on SQLite: " + ", ".join(slow))
    return 0


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        sys.exit(main())
