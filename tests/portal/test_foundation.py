"""The site-wide pieces: health check, headers, errors, lockout, commands, database."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import RequestFactory
from django.utils import timezone, translation

from accounts.models import User
from portal.views import server_error
from tests.conftest import PASSWORD


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
        "storage": "ok",
    }
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not(client, db, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["status"] == "error"


def test_every_page_carries_the_emergency_line(client, db):
    for url in ["/", "/en/", "/vi/", "/en/no-such-page/"]:
        html = client.get(url).content.decode()
        assert f'href="tel:{"077012345"}"' in html, url
        assert settings.EMERGENCY_PHONE in html


def test_language_switcher_links_to_the_same_page_in_each_language(client, db):
    html = client.get("/en/").content.decode()
    assert 'href="/"' in html and 'href="/vi/"' in html
    assert "简体中文" in html and "Tiếng Việt" in html


def test_home_page_speaks_chinese_by_default_and_vietnamese_under_vi(client, db):
    assert "24小时应急救援" in client.get("/").content.decode()
    assert "Cứu hộ khẩn cấp 24 giờ" in client.get("/vi/").content.decode()
    assert "24-hour emergency rescue" in client.get("/en/").content.decode()


def test_unprefixed_urls_stay_chinese_whatever_the_browser_asks(client, db):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="zh-hans"' in html


def test_security_headers(client, db):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "'self'" in script_src
    assert "frame-ancestors 'none'" in csp


def test_html_pages_load_nothing_from_other_sites(client, db):
    html = client.get("/").content.decode()
    assert "//cdn" not in html
    assert "fonts.googleapis" not in html
    assert 'src="http' not in html and 'href="https://' not in html.split("<body")[0]


def test_not_found_page_is_translated_and_plain(client, db):
    response = client.get("/vi/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert "Traceback" not in html


def test_server_error_page_is_translated_without_debug_detail(db):
    request = RequestFactory().get("/vi/")
    with translation.override("vi"):
        response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Đã xảy ra lỗi" in html
    assert "Traceback" not in html
    assert 'href="tel:077012345"' in html


def test_admin_is_for_signed_in_staff_only(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_refuses_a_non_staff_account(client, db):
    client.force_login(User.objects.create_user(username="driver", password=PASSWORD))
    assert client.get("/admin/").status_code == 302


def _fail_login(client, username="root", **headers):
    return client.post(
        "/admin/login/",
        {"username": username, "password": "wrong", "next": "/admin/"},
        **headers,
    )


def test_login_locks_after_five_failures(client, superuser):
    for _ in range(4):
        assert _fail_login(client).status_code == 200
    assert _fail_login(client).status_code == 429
    # Even the right password is refused while locked.
    response = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 429


def test_forged_forwarded_for_does_not_reset_the_lockout(client, superuser):
    for number in range(6):
        response = _fail_login(client, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert response.status_code == 429
    response = client.post(
        "/admin/login/",
        {"username": "root", "password": PASSWORD, "next": "/admin/"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 429


def test_lockout_ends_after_fifteen_minutes(client, superuser):
    for _ in range(5):
        _fail_login(client)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302


def test_lockout_is_kept_in_the_database(client, superuser):
    for _ in range(5):
        _fail_login(client)
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 5
    assert attempt.username == "root"


def test_staff_groups_exist(db):
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"Organizers", "Station managers", "Dispatchers", "Member-records officers"} <= names


def test_ensure_admin_creates_one_administrator_with_a_random_password(db, tmp_path, monkeypatch):
    from accounts.management.commands import ensure_admin

    password_file = tmp_path / "admin-password.txt"
    monkeypatch.setattr(ensure_admin, "PASSWORD_FILE", password_file)
    call_command("ensure_admin")
    admin = User.objects.get(username="admin")
    password = password_file.read_text().strip()
    assert admin.is_superuser and admin.check_password(password)
    assert len(password) >= 12
    call_command("ensure_admin")
    assert User.objects.filter(is_superuser=True).count() == 1
    assert admin.check_password(Path(password_file).read_text().strip())


def test_seed_demo_is_idempotent(db):
    from django.apps import apps

    call_command("seed_demo")
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    call_command("seed_demo")
    assert counts == {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_sqlite_runs_with_wal_busy_timeout_and_immediate_transactions(db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite pragmas: this run uses PostgreSQL")
    from django.db.backends.sqlite3.base import DatabaseWrapper

    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    wrapper = DatabaseWrapper(
        {**settings.DATABASES["default"], "NAME": str(tmp_path / "probe.sqlite3")}
    )
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    finally:
        wrapper.close()


def test_the_expected_database_engine_is_in_use(db):
    """CI's PostgreSQL leg sets EXPECT_DB_VENDOR so it cannot quietly run on SQLite."""
    import os

    expected = os.environ.get("EXPECT_DB_VENDOR")
    if not expected:
        pytest.skip("PostgreSQL leg not requested: CI sets DATABASE_URL and EXPECT_DB_VENDOR")
    assert connection.vendor == expected
