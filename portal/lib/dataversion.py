"""The public data version: one token in the shared cache, replaced on every write of the
data public pages show (docs/performance.md).

Whatever is cached from that data (the page cache, nearby's fragments) is stored under, or
checked against, the token current when it was read; a write replaces the token, so the next
request misses and reads afresh.

Writes are noticed in SQL, not in model signals: every INSERT, UPDATE or DELETE sent through a
Django connection to a watched table replaces the token once the transaction commits. Model
saves and deletes, ``QuerySet.update``/``delete``, ``bulk_create``/``bulk_update``, imports,
raw cursor writes and writes from management commands are all seen, and a future model of a
watched app is watched without anyone remembering it. Which tables are watched is
``settings.PAGE_CACHE_DATA``: app labels (every model of the app, many-to-many tables and
history tables included) or ``app_label.Model`` labels. Registering more is one line there.

Only writes that bypass Django (``psql``, another program) go unseen; the page cache also
keys on the minute, so they show within a minute.
"""

import atexit
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import transaction
from django.db.backends.signals import connection_created

logger = logging.getLogger("portal.cache")

VERSION_KEY = "public-data-version"

# The statement's verb and first table: INSERT [OR …] INTO t, UPDATE t, DELETE FROM t, …
_WRITE = re.compile(
    r"""\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)
    \s+["`]?(\w+)""",
    re.IGNORECASE | re.VERBOSE,
)

_watched: frozenset[str] | None = None


def watched_tables() -> frozenset[str]:
    """Return the database tables of ``settings.PAGE_CACHE_DATA`` (worked out once)."""
    global _watched  # noqa: PLW0603 (computed once per process, after the app registry)
    if _watched is None:
        tables = set()
        for label in settings.PAGE_CACHE_DATA:
            if "." in label:
                models = [apps.get_model(label)]
            else:
                models = list(apps.get_app_config(label).get_models(include_auto_created=True))
            for model in models:
                tables.add(model._meta.db_table.lower())
                for field in model._meta.local_many_to_many:
                    tables.add(field.remote_field.through._meta.db_table.lower())
        _watched = frozenset(tables)
    return _watched


def current() -> str | None:
    """Return the current version token, starting one if the cache has none.

    None when the cache does not answer: callers then neither serve nor store.
    """
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception:  # noqa: BLE001 (a cache that does not answer is a miss, never a 500)
        logger.warning("The shared cache did not answer: the data version is unknown.")
        return None
    return version


def bump() -> None:
    """Start a new version now: everything cached under the old one is out of date.

    A new random token rather than a count, so a token the cache lost and started again can
    never equal an older one. A cache that does not answer never fails the write.
    """
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # noqa: BLE001
        logger.warning("The shared cache did not answer: the data version was not replaced.")


def written_table(sql: Any) -> str | None:
    """Return the table an INSERT, UPDATE, DELETE or TRUNCATE statement writes, else None."""
    # Every query passes here: reads (Django's start with SELECT or WITH) leave at once.
    if not isinstance(sql, str) or sql[:1] in ("S", "s", "W", "w", "("):
        return None
    match = _WRITE.match(sql)
    return match.group(1).lower() if match else None


def _watcher(connection) -> Callable:
    def watch(execute, sql, params, many, context):
        if getattr(connection, "_data_version_pending", False):
            _bump_pending(connection)
        result = execute(sql, params, many, context)
        table = written_table(sql)
        if table and settings.PAGE_CACHE and table in watched_tables():
            _bump_on_commit(connection)
        return result

    watch.is_data_version_watcher = True  # type: ignore[attr-defined]
    return watch


def _bump_pending(connection) -> None:
    """Replace the token for an autocommit write, once no statement of it is running."""
    if connection.in_atomic_block:
        return  # not inside a later transaction, whose rollback would lose it
    connection._data_version_pending = False
    bump()


def _bump_after_request(sender, **kwargs) -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if getattr(connection, "_data_version_pending", False):
            _bump_pending(connection)


def _bump_on_commit(connection) -> None:
    if not connection.in_atomic_block:
        # An autocommit write is committed already, but its statement may still be running
        # (INSERT … RETURNING waits for its row to be read), and the database cache would
        # write on the same connection in the middle of it. Before the next statement, or
        # at the end of the request (or of the process), whichever comes first.
        connection._data_version_pending = True
        return
    # After the commit, so that no request reads the new token with the old rows. One
    # callback per statement, but one bump per commit: the first callback of a commit
    # moves the connection's generation on, the others of the same generation do nothing.
    # A rollback drops the callbacks and leaves the generation as it was.
    generation = getattr(connection, "_data_generation", 0)

    def after_commit() -> None:
        if getattr(connection, "_data_generation", 0) == generation:
            connection._data_generation = generation + 1
            bump()

    transaction.on_commit(after_commit, using=connection.alias, robust=True)


def _install(sender, connection, **kwargs) -> None:
    if not any(getattr(w, "is_data_version_watcher", False) for w in connection.execute_wrappers):
        # First in the list: a wrapper added later with ``execute_wrapper()`` pops the last.
        connection.execute_wrappers.insert(0, _watcher(connection))


def watch_writes() -> None:
    """Watch every database connection this process opens (called from ``portal.apps``)."""
    connection_created.connect(_install, dispatch_uid="portal-data-version")
    request_finished.connect(_bump_after_request, dispatch_uid="portal-data-version")
    atexit.register(_bump_after_request, None)
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        _install(None, connection)
