"""The Redis cache backend (portal.lib.rediscache), against the machine's Redis."""

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    settings = {
        "BACKEND": "portal.lib.rediscache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "driverhome-test-rediscache",
    }
    with override_settings(CACHES={"default": settings, "redis-test": settings}):
        cache = caches["redis-test"]
        yield cache
        cache.clear()


def test_one_client_serves_every_call(redis_cache):
    client = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b") is client
    assert redis_cache._cache.get_client("c", write=True) is client


def test_it_reads_and_writes_as_djangos_backend(redis_cache):
    redis_cache.set("card", {"html": "<p>站</p>"}, 30)
    redis_cache.set_many({"a": 1, "b": [2]}, 30)
    assert redis_cache.get("card") == {"html": "<p>站</p>"}
    assert redis_cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": [2]}
    assert redis_cache.add("a", 5) is False
    redis_cache.delete("a")
    assert redis_cache.get("a", "gone") == "gone"
