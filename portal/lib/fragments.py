"""Fragments of public pages in the shared cache, with a copy in the process's memory.

A fragment (a station card, the nearby page's shell) is stored as an *entry*: a dict with
the data ``version`` and the local ``minute`` it was rendered in, and is current while both
are (``dataversion``: a write of public data replaces the version). The shared cache is the
truth; each process also keeps the entries it fetched or stored, so a request asks the shared
cache only for the version and for what the process lacks for this minute: one small round
trip instead of every card of a page. An entry held here is used only once the version read
in that same round trip matches it, so a write shows on the next request in every process,
exactly as without the copy. Out-of-date copies (after a write) cost a second round trip.
"""

from typing import Any

from django.core.cache import cache

from . import dataversion

# Entries a process keeps; beyond that it starts again (a page's cards are at most 20).
LOCAL_MAX = 4096
_local: dict[str, dict[str, Any]] = {}


def _current(entry: Any, version: str | None, minute: str) -> bool:
    return bool(
        version
        and isinstance(entry, dict)
        and entry.get("version") == version
        and entry.get("minute") == minute
    )


def fetch(keys: list[str], minute: str) -> tuple[str | None, dict[str, dict[str, Any]]]:
    """Return the data version and the current entries among ``keys``.

    The version is None when the shared cache does not answer: nothing is then current.
    """
    held = {key: _local[key] for key in keys if key in _local and _local[key]["minute"] == minute}
    wanted = [key for key in keys if key not in held]
    try:
        found = cache.get_many([dataversion.VERSION_KEY, *wanted])
    except Exception:  # noqa: BLE001 (a cache that does not answer: nothing is current)
        return None, {}
    version = found.pop(dataversion.VERSION_KEY, None) or dataversion.current()
    stale = [key for key, entry in held.items() if not _current(entry, version, minute)]
    if stale and version:
        try:
            found.update(cache.get_many(stale))
        except Exception:  # noqa: BLE001, S110 (those are rendered again)
            pass
    current = {key: entry for key, entry in held.items() if key not in stale}
    for key, entry in found.items():
        if _current(entry, version, minute):
            current[key] = entry
            _keep(key, entry)
    return version, current


def store(entries: dict[str, dict[str, Any]], seconds: int) -> None:
    """Store ``entries`` in the shared cache (and keep them here); never fails a request."""
    for key, entry in entries.items():
        _keep(key, entry)
    try:
        cache.set_many(entries, seconds)
    except Exception:  # noqa: BLE001, S110 (the page is served all the same)
        pass


def _keep(key: str, entry: dict[str, Any]) -> None:
    if len(_local) >= LOCAL_MAX:
        _local.clear()
    _local[key] = entry


def forget() -> None:
    """Drop this process's copies (tests that change the shared cache behind its back)."""
    _local.clear()
