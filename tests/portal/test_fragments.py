"""Fragments in the shared cache with a copy in the process (portal/lib/fragments.py): the
copy saves the round trip's payload, never a write's effect."""

import pytest
from django.core.cache import cache

from portal.lib import dataversion, fragments

MINUTE = "202606021100"


pytestmark = pytest.mark.usefixtures("page_cache_on")


@pytest.fixture
def asked(monkeypatch):
    """The keys each round trip to the shared cache asked for (the database cache's own
    ``get`` goes through ``get_many`` too: tests clear the list before the fetch)."""
    trips = []
    real = cache.get_many

    def get_many(keys, *args, **kwargs):
        trips.append(list(keys))
        return real(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", get_many)
    return trips


def _entry(version, html, minute=MINUTE):
    return {"version": version, "minute": minute, "html": html}


def test_held_entries_are_not_fetched_again(asked):
    version = dataversion.current()
    fragments.store({"a": _entry(version, "A"), "b": _entry(version, "B")}, 60)
    asked.clear()
    found_version, found = fragments.fetch(["a", "b", "c"], MINUTE)
    assert found_version == version
    assert {key: entry["html"] for key, entry in found.items()} == {"a": "A", "b": "B"}
    # One round trip, for the version and the one key this process does not hold.
    assert asked == [[dataversion.VERSION_KEY, "c"]]


def test_a_write_elsewhere_makes_the_held_copy_useless_at_once(asked):
    old = dataversion.current()
    fragments.store({"a": _entry(old, "old A")}, 60)
    # Another process writes (a new version) and stores a fresh "a" in the shared cache.
    dataversion.bump()
    new = dataversion.current()
    cache.set("a", _entry(new, "new A"), 60)
    asked.clear()
    version, found = fragments.fetch(["a"], MINUTE)
    assert version == new
    assert found["a"]["html"] == "new A"
    # The version and then the out-of-date key: two round trips, only after a write.
    assert asked == [[dataversion.VERSION_KEY], ["a"]]
    # Now held again, current: one small round trip.
    asked.clear()
    fragments.fetch(["a"], MINUTE)
    assert asked == [[dataversion.VERSION_KEY]]


def test_the_next_minute_is_fetched_and_an_old_minute_is_never_current(asked):
    version = dataversion.current()
    fragments.store({"a": _entry(version, "A")}, 60)
    later = "202606021101"
    asked.clear()
    found_version, found = fragments.fetch(["a"], later)
    assert found == {}
    assert asked == [[dataversion.VERSION_KEY, "a"]]


def test_a_cache_that_does_not_answer_gives_nothing(monkeypatch):
    version = dataversion.current()
    fragments.store({"a": _entry(version, "A")}, 60)

    def broken(keys, *args, **kwargs):
        raise OSError("down")

    monkeypatch.setattr(cache, "get_many", broken)
    assert fragments.fetch(["a"], MINUTE) == (None, {})
