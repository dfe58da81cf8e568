"""The checks behind ``/healthz``: each answers True or False, never raises.

What they test is what a page needs: a real query on a real table, every migration
applied, the shared cache reading back what it wrote, and both upload folders writable.
Failures are logged with their cause; the response names only the failing check.
"""

import logging
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger("portal.health")


def check_database() -> None:
    """Run a real query on a real table (a moved-away SQLite file fails here)."""
    Session.objects.filter(expire_date__isnull=True).exists()


def check_migrations() -> None:
    """Fail while any migration in the code is not applied to the database."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} unapplied migration(s)")


def check_cache() -> None:
    """Write a random value to the shared cache and read it back."""
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, 30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("cache did not return what was written")
    finally:
        cache.delete(key)


def _writable(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".healthz-") as probe:
        probe.write(b"ok")
        probe.flush()
        os.fsync(probe.fileno())


def check_storage() -> None:
    """Create, write and remove a file in the public and the private upload folders."""
    _writable(Path(settings.MEDIA_ROOT))
    _writable(Path(settings.PRIVATE_MEDIA_ROOT))


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "cache": check_cache,
    "storage": check_storage,
}


def run_checks() -> dict[str, str]:
    """Run every check; return {name: "ok" | "error"}. Later checks run even if one fails."""
    results = {}
    database_ok = True
    for name, check in CHECKS.items():
        if name == "migrations" and not database_ok:
            results[name] = "error"
            continue
        try:
            check()
        except Exception:
            logger.exception("health check %s failed", name)
            results[name] = "error"
            database_ok = database_ok and name != "database"
        else:
            results[name] = "ok"
    return results
