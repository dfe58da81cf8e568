"""50 simultaneous drivers' parking reports against gunicorn with three workers (SQLite, and
PostgreSQL when DATABASE_URL points at it): from 50 addresses every one is stored; from one
address exactly the per-address limit is stored and the rest get 429; never an error.
Reuses the help form's harness (a free port in 8400-8499, stopped afterwards)."""

import http.client
import re
import sqlite3
import subprocess
import sys
from urllib.parse import urlencode

import pytest
from django.db import connection

from tests.helpdesk.test_help_concurrency import (
    BASE_DIR,
    CLIENTS,
    fire,
    server_env,
    start_server,
    stop_server,
)

PER_IP = 5
SLUG = "busy-lot"


def live_env(database_url: str) -> dict:
    env = server_env(database_url)
    env.update(
        {
            "TRUSTED_PROXY_COUNT": "1",
            "STATION_REPORT_RATE_PER_IP": f"{PER_IP}/600",
            "STATION_REPORT_RATE_PER_STATION": "500/600",
        }
    )
    return env


class Reporter:
    """One phone behind the proxy at ``address``: fetches the form, then posts "full"."""

    def __init__(self, port: int, address: str):
        self.port, self.address = port, address

    def fetch_form(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", f"/stations/{SLUG}/parking/", headers={"X-Forwarded-For": self.address})
        response = conn.getresponse()
        html = response.read().decode()
        assert response.status == 200, html[-500:]
        cookies = [
            h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"
        ]
        self.cookie = "; ".join(cookies)
        self.fields = {
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[
                1
            ],
            "token": re.search(r'name="token" value="([^"]+)"', html)[1],
            "website": "",
            "level": "full",
        }

    def post(self) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(
            "POST",
            f"/stations/{SLUG}/parking/",
            body=urlencode(self.fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self.cookie,
                "X-Forwarded-For": self.address,
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status


def exercise(port: int, count):
    many = [Reporter(port, f"198.51.100.{index + 1}") for index in range(CLIENTS)]
    for reporter in many:
        reporter.fetch_form()
    statuses = fire(many)
    assert statuses == [302] * CLIENTS, statuses
    assert count() == CLIENTS

    one = [Reporter(port, "203.0.113.9") for _ in range(CLIENTS)]
    for reporter in one:
        reporter.fetch_form()
    statuses = fire(one)
    assert sorted(statuses) == [302] * PER_IP + [429] * (CLIENTS - PER_IP), statuses
    assert count() == CLIENTS + PER_IP


CREATE_STATION = (
    "from stations.models import Station; "
    f"Station.objects.create(name='繁忙停车场', slug='{SLUG}', latitude=21.58, "
    "longitude=108.36, published=True, open_24h=True)"
)


def test_concurrent_parking_reports_sqlite(tmp_path):
    path = tmp_path / "parking.sqlite3"
    env = live_env(f"sqlite:///{path}")
    for command in (["migrate", "--noinput", "-v0"], ["shell", "-c", CREATE_STATION]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
        )
    process, port = start_server(env)
    try:

        def count():
            with sqlite3.connect(path) as db:
                return db.execute("SELECT COUNT(*) FROM stations_parkingreport").fetchone()[0]

        exercise(port, count)
        with sqlite3.connect(path) as db:
            stored = db.execute("SELECT * FROM stations_parkingreport").fetchall()
        # Nothing about the drivers: no address in any column.
        assert not any("198.51.100." in str(row) or "203.0.113." in str(row) for row in stored)
    finally:
        stop_server(process)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_parking_reports_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    from stations.models import ParkingReport, Station

    Station.objects.create(
        name="繁忙停车场", slug=SLUG, latitude=21.58, longitude=108.36, published=True
    )
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    process, port = start_server(live_env(url))
    try:
        exercise(port, lambda: ParkingReport.objects.count())
    finally:
        stop_server(process)
