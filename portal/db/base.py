"""SQLite that never creates a missing database file, except for ``migrate``.

Plain ``sqlite3.connect(path)`` creates an empty file when ``path`` is missing: a database
moved away while gunicorn serves would be replaced by an empty one, and every page would
fail while the health check said ok. This backend opens the file as a ``mode=rw`` URI, so
a missing file is an error (``/healthz`` answers 503). Only the ``migrate`` command (see
``portal/management/commands/migrate.py``) may create it, which keeps a fresh install to
one step. In-memory test databases are untouched.

Connections persist between requests in production (``DB_CONN_MAX_AGE``). An open SQLite
connection keeps reading a file that was moved away, so the health check Django runs
before reusing a connection (``CONN_HEALTH_CHECKS``) also asks whether the path still
names the file the connection opened; when it does not, Django opens a new connection,
which fails as above.

Its cursors also remember how they turned a statement's ``%s`` placeholders into SQLite's
``?`` (Django runs a regular expression over the statement for every execution): nearby's
statement is 9 KB and the same for every driver, and converting it again was 0.11 ms of a
2.4 ms page.
"""

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import pathname2url

from django.db.backends.sqlite3 import base

# Set by ``creating_allowed()`` while ``migrate`` runs in this process.
_create_missing = False


@contextmanager
def creating_allowed() -> Iterator[None]:
    """Let connections opened inside the block create a missing database file."""
    global _create_missing  # noqa: PLW0603 (one flag for the whole process)
    previous, _create_missing = _create_missing, True
    try:
        yield
    finally:
        _create_missing = previous


def read_write_uri(name: str) -> str:
    """Return the ``file:`` URI that opens ``name`` for reading and writing, never creating it."""
    return f"file:{pathname2url(str(Path(name).resolve()))}?mode=rw"


@functools.lru_cache(maxsize=1024)
def _qmark(query: str) -> str:
    """A "format" style statement in SQLite's "qmark" style, as Django converts it."""
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=SQLiteCursorWrapper)

    def get_new_connection(self, conn_params):
        name = str(conn_params.get("database", ""))
        if not _create_missing and not self.is_in_memory_db() and not name.startswith("file:"):
            conn_params = {**conn_params, "database": read_write_uri(name)}
        connection = super().get_new_connection(conn_params)
        self._file_identity = self._identity()
        return connection

    def _identity(self) -> tuple[int, int] | None:
        if self.is_in_memory_db():
            return None
        try:
            stat = os.stat(self.settings_dict["NAME"])
        except OSError:
            return None
        return stat.st_dev, stat.st_ino

    def is_usable(self) -> bool:
        """Usable while the connection answers and its file is still where it was opened."""
        if not super().is_usable():
            return False
        identity = getattr(self, "_file_identity", None)
        return identity is None or identity == self._identity()
