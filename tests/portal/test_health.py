"""/healthz tells the truth, and the portal keeps working through the faults it reports."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import override_settings
from django.urls import reverse

from helpdesk.models import HelpRequest
from portal.db.base import DatabaseWrapper, creating_allowed

BASE_DIR = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"


def healthz(client):
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


def test_healthz_names_every_check_when_all_pass(client, db):
    status, body = healthz(client)
    assert status == 200
    assert body == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
        "storage": "ok",
    }


def test_healthz_503_on_an_unapplied_migration(client, db):
    latest = MigrationRecorder.Migration.objects.filter(app="helpdesk").order_by("-id").first()
    latest.delete()
    status, body = healthz(client)
    assert status == 503
    assert body["migrations"] == "error"
    assert body["failing"] == ["migrations"]
    assert body["database"] == "ok"


def test_healthz_503_when_private_storage_is_not_writable(client, db, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    settings.PRIVATE_MEDIA_ROOT = blocker
    status, body = healthz(client)
    assert status == 503
    assert body["failing"] == ["storage"]


def test_healthz_says_nothing_secret(client, db, settings, tmp_path):
    blocker = tmp_path / "secret-path-name"
    blocker.write_text("x")
    settings.PRIVATE_MEDIA_ROOT = blocker
    response = client.get("/healthz")
    assert b"secret-path-name" not in response.content
    assert b"Error" not in response.content


REDIS_DOWN = {
    # Nothing listens on port 1: connecting is refused at once.
    "default": {
        "BACKEND": "portal.lib.rediscache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    },
    "database": settings.CACHES["database"],
}


@pytest.mark.django_db
def test_redis_down_pages_work_help_is_stored_and_healthz_reports_it(client, settings):
    settings.HELP_MIN_FILL_SECONDS = 0
    with override_settings(CACHES=REDIS_DOWN):
        assert client.get("/").status_code == 200
        assert client.get(reverse("helpdesk:track")).status_code == 200
        html = client.get(reverse("helpdesk:form")).content.decode()
        token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            reverse("helpdesk:form"),
            {
                "token": token,
                "category": "breakdown",
                "description": "Engine stopped",
                "phone": "13800138000",
                "location_text": "G228",
                "website": "",
            },
        )
        assert response.status_code == 302
        assert HelpRequest.objects.filter(phone="13800138000").count() == 1
        status, body = healthz(client)
    assert status == 503
    assert body["failing"] == ["cache"]


@pytest.mark.django_db
def test_redis_down_rate_limits_still_hold_through_the_database_cache(client, settings):
    from portal.lib.ratelimit import take

    with override_settings(CACHES=REDIS_DOWN):
        assert [take("t", "10.0.0.1", "2/60") for _ in range(3)] == [True, True, False]


def test_the_backend_never_creates_a_missing_sqlite_file(db, tmp_path):
    path = tmp_path / "gone.sqlite3"
    options = {key: value for key, value in settings.DATABASES["default"].items()}
    options.update({"NAME": str(path), "OPTIONS": {}})
    wrapper = DatabaseWrapper(options)
    with pytest.raises(OperationalError):
        wrapper.ensure_connection()
    assert not path.exists()
    with creating_allowed():
        wrapper.ensure_connection()
    wrapper.close()
    assert path.exists()


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_sqlite_moved_away_while_gunicorn_serves_gives_503_and_no_new_file(tmp_path):
    path = tmp_path / "db.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "DEBUG": "0",
            "REDIS_URL": "",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_MANIFEST": "0",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    with socket_port() as port:
        process = subprocess.Popen(
            [str(GUNICORN), "portal.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        assert _get(base + "/healthz")[0] == 200
        assert _get(base + "/")[0] == 200
        moved = tmp_path / "moved"
        moved.mkdir()
        for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
            if (tmp_path / name).exists():
                shutil.move(tmp_path / name, moved / name)
        for _ in range(4):
            status, body = _get(base + "/healthz")
            assert status == 503
            assert json.loads(body)["database"] == "error"
            assert _get(base + "/")[0] == 500
        assert not path.exists()
        shutil.move(moved / "db.sqlite3", path)
        assert _get(base + "/healthz")[0] == 200
    finally:
        process.terminate()
        process.wait(timeout=10)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        assert db.execute("SELECT COUNT(*) FROM django_migrations").fetchone()[0] > 10


class socket_port:
    """Reserve a free loopback port and release it for the server to bind."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def __exit__(self, *exc) -> None:
        return None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the portal's SQLite backend")
@pytest.mark.django_db
def test_the_sqlite_cursor_converts_each_statement_once_as_django_does():
    from django.db.backends.sqlite3.base import SQLiteCursorWrapper as DjangoCursor

    from portal.db.base import SQLiteCursorWrapper, _qmark

    statements = [
        "SELECT %s, '100%%' FROM t WHERE a = %s",
        "SELECT 1",
        f"SELECT {', '.join(['%s'] * 50)}",
    ]
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, SQLiteCursorWrapper)
        for sql in statements:
            expected = DjangoCursor.convert_query(cursor.cursor, sql)
            assert cursor.cursor.convert_query(sql) == expected
            hits = _qmark.cache_info().hits
            assert cursor.cursor.convert_query(sql) == expected
            assert _qmark.cache_info().hits == hits + 1
        # Named parameters convert as Django's own cursor does.
        assert cursor.cursor.convert_query("%(a)s", param_names=["a"]) == ":a"
        cursor.execute("SELECT %s || '%%'", ["7"])
        assert cursor.fetchone() == ("7%",)
