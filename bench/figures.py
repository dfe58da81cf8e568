"""Figures benchmark: /figures/ uncached vs cached, at the demo size and with 20k requests.

Run with `make bench` (or `.venv/bin/python bench/figures.py`). A throwaway SQLite database
under /tmp; the test client renders the page (no server), so the numbers are the view's own
time. For each size: the median of 5 renders right after a change (the data version bumped,
everything recomputed) beside the median of 20 cached renders, and their ratio.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="driverhome-bench-figures-"))
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from helpdesk.models import HelpEvent, HelpRequest  # noqa: E402
from portal.figures.compute import figures_invalidate  # noqa: E402

EXTRA_REQUESTS = 20_000


def median_ms(client: Client, runs: int, *, fresh: bool) -> float:
    times = []
    for _ in range(runs):
        if fresh:
            figures_invalidate()
        start = time.perf_counter()
        response = client.get("/en/figures/")
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def add_requests(count: int) -> None:
    rng = random.Random(15)
    now = timezone.now()
    requests = [
        HelpRequest(
            code=f"B{index:07d}",
            form_token=f"bench-{index}",
            category=rng.choice(["breakdown", "legal", "rescue", "other"]),
            description="bench",
            phone="13800138000",
            state="resolved",
        )
        for index in range(count)
    ]
    HelpRequest.objects.bulk_create(requests, batch_size=2000)
    events = []
    for request in HelpRequest.objects.filter(code__startswith="B"):
        at = now - timedelta(days=rng.randint(0, 360))
        events += [
            HelpEvent(request=request, kind="received", to_state="received", created_at=at),
            HelpEvent(
                request=request,
                kind="resolved",
                to_state="resolved",
                created_at=at + timedelta(hours=rng.randint(1, 72)),
            ),
        ]
    HelpEvent.objects.bulk_create(events, batch_size=2000)


def report(label: str, client: Client) -> None:
    fresh = median_ms(client, 5, fresh=True)
    cached = median_ms(client, 20, fresh=False)
    print(
        f"{label:<28} uncached {fresh:8.1f} ms   cached {cached:6.1f} ms   "
        f"ratio {fresh / cached:5.1f}x",
        flush=True,
    )


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    client = Client()
    report(f"demo ({HelpRequest.objects.count()} requests)", client)
    add_requests(EXTRA_REQUESTS)
    report(f"{HelpRequest.objects.count()} requests", client)


if __name__ == "__main__":
    main()
