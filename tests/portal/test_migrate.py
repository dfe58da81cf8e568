"""`manage.py migrate` is the whole database step: nothing else for an operator to forget."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# The database cache and everything a first visitor's form needs, on a fresh database.
CHECK = """
from django.contrib.auth.models import Group
from django.core.cache import cache
from stations.models import Amenity
cache.set("migrate-check", 1, 60)
assert cache.get("migrate-check") == 1
print(sorted(Group.objects.values_list("name", flat=True)))
print(Amenity.objects.count())
"""


def test_migrate_alone_makes_a_working_database(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", "DEBUG": "1"})

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    manage("migrate", "--noinput", "-v0")
    groups, amenities = manage("shell", "--no-imports", "-c", CHECK).strip().splitlines()[-2:]
    assert groups == str(
        sorted(
            [
                "Dispatchers",
                "Help handlers",
                "Member-records officers",
                "Named helpers",
                "Organizers",
                "Station managers",
            ]
        )
    )
    assert int(amenities) > 10


# The public help form posted on a database made by `migrate` alone: the rate limiter's
# cache table is there (a 500 "no such table: portal_cache" before it came with migrations).
POST_HELP = """
from django.test import Client
from helpdesk.models import HelpRequest
client = Client()
html = client.get("/help/").content.decode()
token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
response = client.post("/help/", {"token": token, "category": "breakdown",
    "description": "Flat tyre", "phone": "13800138000", "location_text": "G228", "website": ""})
print(response.status_code, HelpRequest.objects.count())
"""


def test_migrate_alone_lets_the_help_form_post(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
            "DEBUG": "1",
            "HELP_MIN_FILL_SECONDS": "0",
            "ALLOWED_HOSTS": "testserver",
        }
    )

    def manage(*args, **extra):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env={**env, **extra},
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    # Migrated while Redis was configured: the table is created all the same.
    manage("migrate", "--noinput", "-v0", REDIS_URL="redis://127.0.0.1:1/0")
    status, count = manage("shell", "--no-imports", "-c", POST_HELP).split()[-2:]
    assert (status, count) == ("302", "1")


QUERY = "from accounts.models import User; print(User.objects.count())"


def test_nothing_but_migrate_creates_a_missing_sqlite_file(tmp_path):
    path = tmp_path / "never.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", QUERY],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "unable to open database file" in done.stderr
    assert not path.exists()
