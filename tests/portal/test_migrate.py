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
                "Organizers",
                "Station managers",
            ]
        )
    )
    assert int(amenities) > 10
