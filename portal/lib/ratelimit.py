"""Rate limits shared by every worker process, kept in the shared cache.

Each limit is a set of ``limit`` slots; taking one is a ``cache.add`` (insert if absent),
which the database cache and Redis both do atomically, so two workers never take the
same slot and the limit holds exactly. A slot frees itself ``window`` seconds after it
was taken.

When Redis is configured but does not answer, the limits move to the database cache
(the ``database`` alias, table ``portal_cache``), which every server shares too: the
limits keep holding, counted afresh from the moment Redis failed, and a warning is
logged. Forms never fail because Redis is down.
"""

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches

try:
    from redis.exceptions import RedisError

    CACHE_DOWN: tuple[type[Exception], ...] = (RedisError,)
except ImportError:  # pragma: no cover (redis is a dependency)
    CACHE_DOWN = ()

logger = logging.getLogger("portal.ratelimit")
Result = TypeVar("Result")


def _key(scope: str, ident: str, slot: int) -> str:
    digest = hashlib.sha256(f"{scope}:{ident}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{slot}"


def _with_cache(action: Callable[..., Result]) -> Result:
    """Run ``action(cache)`` on the shared cache, or on the database cache if Redis is down."""
    try:
        return action(caches["default"])
    except CACHE_DOWN:
        logger.warning("shared cache unavailable; rate limits use the database cache")
        return action(caches["database"])


def parse_rate(rate: str) -> tuple[int, int]:
    """Parse "5/600" (5 per 600 seconds)."""
    count, _, seconds = str(rate).partition("/")
    return int(count), int(seconds)


def take(scope: str, ident: str, rate: str) -> bool:
    """Take one slot of ``scope`` for ``ident``; False when all are taken (limited).

    A rate of 0 in the count ("0/60") switches the limit off.
    """
    limit, window = parse_rate(rate)
    if limit <= 0:
        return True
    return _with_cache(
        lambda cache: any(cache.add(_key(scope, ident, slot), 1, window) for slot in range(limit))
    )


def _backoff_keys(scope: str, ident: str) -> tuple[str, str]:
    digest = hashlib.sha256(f"{scope}:{ident}".encode()).hexdigest()[:32]
    return f"bo:{scope}:{digest}:fails", f"bo:{scope}:{digest}:gate"


def backoff_delay(failures: int, *, free: int, first: int, longest: int) -> int:
    """Seconds between tries after ``failures`` wrong ones: 0 for the first ``free``, then
    ``first`` doubling each time, never more than ``longest``."""
    if failures < free:
        return 0
    return min(longest, first * 2 ** min(failures - free, 30))


def backoff_wait(scope: str, ident: str, *, free: int, first: int, longest: int) -> int:
    """Take the next try of ``ident``; return 0 when it may go ahead, else seconds to wait.

    After ``free`` wrong tries each further try must wait a growing delay (see
    ``backoff_delay``); the gate is one ``cache.add``, so parallel tries cannot slip
    through together. Nobody is ever locked out for longer than ``longest`` seconds.
    """
    fails_key, gate_key = _backoff_keys(scope, ident)

    def wait(cache) -> int:
        delay = backoff_delay(cache.get(fails_key) or 0, free=free, first=first, longest=longest)
        if delay <= 0:
            return 0
        now = time.time()
        if cache.add(gate_key, now + delay, delay):
            return 0
        until = cache.get(gate_key) or now + 1
        return max(1, math.ceil(until - now))

    return _with_cache(wait)


def backoff_fail(scope: str, ident: str, *, forget: int) -> int:
    """Count a wrong try of ``ident``; return the count. Counts are forgotten ``forget``
    seconds after the last wrong try."""
    fails_key, _gate = _backoff_keys(scope, ident)

    def fail(cache) -> int:
        count = (cache.get(fails_key) or 0) + 1
        cache.set(fails_key, count, forget)
        return count

    return _with_cache(fail)


def backoff_clear(scope: str, ident: str) -> None:
    """Forget the wrong tries of ``ident`` (the right answer was given)."""
    _with_cache(lambda cache: cache.delete_many(list(_backoff_keys(scope, ident))))
