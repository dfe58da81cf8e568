"""Project-wide guards: migrations, every page in every language, deploy checks."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests.crawl import parameterless_url_names

BASE_DIR = Path(settings.BASE_DIR)


def test_migrations_are_up_to_date(db):
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"models changed without a migration (exit {exc.code}):\n{out.getvalue()}")


PUBLIC_NAMES = sorted(set(parameterless_url_names()))


def test_url_enumeration_finds_the_home_page():
    assert "home" in PUBLIC_NAMES
    assert "healthz" in PUBLIC_NAMES


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
@pytest.mark.parametrize("name", PUBLIC_NAMES)
def test_every_parameterless_url_answers_with_one_h1(client, db, name, language):
    with translation.override(language):
        url = reverse(name)
    response = client.get(url)
    assert response.status_code in (200, 302), (url, response.status_code)
    if response.status_code == 302:
        assert "/admin/login/" in response["Location"] or "login" in response["Location"]
        return
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert len(re.findall(r"<h1[\s>]", html)) == 1, url
        assert f'lang="{language}"' in html


def test_language_prefixes(client, db):
    assert client.get("/").content.decode().count('lang="zh-hans"') >= 1
    assert 'lang="en"' in client.get("/en/").content.decode()
    assert 'lang="vi"' in client.get("/vi/").content.decode()


@pytest.mark.parametrize("language", ["zh_Hans", "vi"])
def test_catalogue_is_complete(language):
    """A fresh clone shows no English in the Chinese or Vietnamese pages."""
    po = polib.pofile(str(BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po"))
    missing = [
        entry.msgid
        for entry in po
        if not entry.obsolete
        and (
            "fuzzy" in entry.flags
            or not (entry.msgstr or all(entry.msgstr_plural.values()) and entry.msgstr_plural)
        )
    ]
    assert missing == [], f"untranslated in {language}: {missing[:20]}"


def _production_env(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"DEBUG", "SECURE_SSL_REDIRECT", "STATIC_MANIFEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "x" * 20 + "production-like-key-for-the-deploy-check-" + "y" * 20,
            "ALLOWED_HOSTS": "driverhome.example.cn",
        }
    )
    env.update(extra)
    return env


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=_production_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_collectstatic_builds_the_hashed_compressed_files(tmp_path):
    """Production serves hashed files: every reference inside CSS and JS must resolve."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=_production_env(STATIC_ROOT=str(tmp_path / "static")),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "css/site.css" in manifest
    assert list((tmp_path / "static" / "css").glob("site.*.css.gz"))


def test_development_dotenv_fills_in_what_the_environment_does_not_say():
    """`make` writes .env with DEBUG=1: manage.py then runs with no variables set."""
    dotenv = BASE_DIR / ".env"
    if "DEBUG=1" not in (dotenv.read_text() if dotenv.exists() else ""):
        pytest.skip("no development .env (make install writes one)")
    env = {
        key: value
        for key, value in _production_env().items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-1000:]
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_settings_refuse_to_start_without_secret_key():
    # DEBUG=0 in the environment wins over a development .env saying DEBUG=1.
    env = _production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DEBUG", "maybe"), ("SECURE_HSTS_SECONDS", "a year"), ("DATABASE_URL", "mysql://x/y")],
)
def test_settings_name_the_malformed_variable(variable, value):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=_production_env(**{variable: value}),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert variable in result.stderr
