"""50 simultaneous submissions against gunicorn with several workers, on SQLite and
PostgreSQL: 50 requests, 50 distinct codes, no errors; one submission sent twice at once
gives one request. Uses a free port in 8400-8499 and stops the server afterwards."""

import http.client
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"
CLIENTS = 50


def free_port() -> int:
    for port in range(8400, 8500):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 8400-8499")


def server_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_MANIFEST": "0",
            "HELP_MIN_FILL_SECONDS": "0",
            "HELP_RATE_PER_IP": "0/1",
            "HELP_RATE_PER_PHONE": "0/1",
            "TRUSTED_PROXY_COUNT": "0",
            "DB_CONN_MAX_AGE": "0",
        }
    )
    return env


def start_server(env: dict):
    port = free_port()
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.3)
    process.terminate()
    pytest.fail("gunicorn did not start: " + process.stderr.read().decode()[-2000:])


def stop_server(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


class Driver:
    """One phone: fetches the form (cookies, tokens), then posts it."""

    def __init__(self, port: int, phone: str):
        self.port, self.phone = port, phone

    def fetch_form(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", "/help/")
        response = conn.getresponse()
        html = response.read().decode()
        cookies = [
            h.split(";", 1)[0] for k, h in response.getheaders() if k.lower() == "set-cookie"
        ]
        self.cookie = "; ".join(cookies)
        self.fields = {
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[
                1
            ],
            "token": re.search(r'name="token" value="([^"]+)"', html)[1],
            "category": "breakdown",
            "description": "Concurrent breakdown",
            "phone": self.phone,
            "location_text": "G228",
            "website": "",
        }

    def post(self) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(
            "POST",
            "/help/",
            body=urlencode(self.fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self.cookie,
            },
        )
        response = conn.getresponse()
        response.read()
        return response.status


def fire(drivers) -> list[int]:
    barrier = threading.Barrier(len(drivers))
    statuses = [None] * len(drivers)

    def run(index, driver):
        barrier.wait(timeout=60)
        try:
            statuses[index] = driver.post()
        except OSError as exc:
            statuses[index] = repr(exc)

    threads = [threading.Thread(target=run, args=(i, d)) for i, d in enumerate(drivers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def exercise(port: int, rows):
    drivers = [Driver(port, f"1380000{index:04d}") for index in range(CLIENTS)]
    for driver in drivers:
        driver.fetch_form()
    statuses = fire(drivers)
    assert statuses == [302] * CLIENTS, statuses
    found = rows()
    assert len(found) == CLIENTS
    assert len({code for code, _token in found}) == CLIENTS

    twin = Driver(port, "13900000001")
    twin.fetch_form()
    assert fire([twin, twin]) == [302, 302]
    # Both answers redirect to the same confirmation; only one row was added.
    assert len(rows()) == CLIENTS + 1


def test_concurrent_submissions_sqlite(tmp_path):
    path = tmp_path / "concurrency.sqlite3"
    env = server_env(f"sqlite:///{path}")
    for command in (["migrate", "--noinput", "-v0"],):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
        )
    process, port = start_server(env)
    try:

        def rows():
            with sqlite3.connect(path) as db:
                return db.execute("SELECT code, form_token FROM helpdesk_helprequest").fetchall()

        exercise(port, rows)
    finally:
        stop_server(process)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    from helpdesk.models import HelpRequest

    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    process, port = start_server(server_env(url))
    try:
        exercise(port, lambda: list(HelpRequest.objects.values_list("code", "form_token")))
    finally:
        stop_server(process)
