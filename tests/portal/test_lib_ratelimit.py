"""portal.lib.ratelimit: slots in the shared cache."""

import pytest
from django.core.cache import cache

from portal.lib import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_parse_rate():
    assert ratelimit.parse_rate("5/600") == (5, 600)
    assert ratelimit.parse_rate("0/60") == (0, 60)


def test_take_allows_exactly_the_limit():
    assert [ratelimit.take("help", "1.2.3.4", "3/600") for _ in range(4)] == [
        True,
        True,
        True,
        False,
    ]


def test_scopes_and_identities_are_counted_apart():
    assert ratelimit.take("help", "a", "1/600")
    assert not ratelimit.take("help", "a", "1/600")
    assert ratelimit.take("help", "b", "1/600")
    assert ratelimit.take("wish", "a", "1/600")


def test_zero_switches_the_limit_off():
    assert all(ratelimit.take("help", "x", "0/60") for _ in range(20))


class RecordingCache:
    def __init__(self):
        self.timeouts = []

    def add(self, key, value, timeout):
        self.timeouts.append(timeout)
        return True


def test_slots_free_themselves_after_the_window(monkeypatch):
    recording = RecordingCache()
    monkeypatch.setattr(ratelimit, "caches", {"default": recording})
    assert ratelimit.take("help", "x", "2/90")
    assert recording.timeouts == [90]


def test_identities_are_not_stored_in_clear():
    key = ratelimit._key("help", "13800138000", 0)
    assert "13800138000" not in key
    assert key.startswith("rl:help:") and key.endswith(":0")


def test_backoff_delays_grow_and_stay_short():
    delays = [ratelimit.backoff_delay(n, free=5, first=30, longest=900) for n in range(15)]
    assert delays[:5] == [0] * 5
    assert delays[5:11] == [30, 60, 120, 240, 480, 900]
    assert max(delays) == 900


@pytest.mark.django_db
def test_backoff_gate_lets_one_try_through_per_delay():
    for _ in range(3):
        ratelimit.backoff_fail("code", "ABCD", forget=3600)
    waits = [
        ratelimit.backoff_wait("code", "ABCD", free=3, first=30, longest=900) for _ in range(3)
    ]
    assert waits[0] == 0
    assert all(0 < wait <= 30 for wait in waits[1:])
    ratelimit.backoff_clear("code", "ABCD")
    assert ratelimit.backoff_wait("code", "ABCD", free=3, first=30, longest=900) == 0
