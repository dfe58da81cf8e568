"""Rate limits shared by every worker process, kept in the shared cache.

Each limit is a set of ``limit`` slots; taking one is a ``cache.add`` (insert if absent),
which the database cache and Redis both do atomically, so two workers never take the
same slot and the limit holds exactly. A slot frees itself ``window`` seconds after it
was taken.
"""

import hashlib

from django.core.cache import cache


def _key(scope: str, ident: str, slot: int) -> str:
    digest = hashlib.sha256(f"{scope}:{ident}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{slot}"


def parse_rate(rate: str) -> tuple[int, int]:
    """Parse "5/600" (5 per 600 seconds)."""
    count, _, seconds = str(rate).partition("/")
    return int(count), int(seconds)


def would_allow(scope: str, ident: str, rate: str) -> bool:
    """Tell whether a slot is free, without taking it."""
    limit, _window = parse_rate(rate)
    if limit <= 0:
        return True
    keys = [_key(scope, ident, slot) for slot in range(limit)]
    return len(cache.get_many(keys)) < limit


def take(scope: str, ident: str, rate: str) -> bool:
    """Take one slot of ``scope`` for ``ident``; False when all are taken (limited).

    A rate of 0 in the count ("0/60") switches the limit off.
    """
    limit, window = parse_rate(rate)
    if limit <= 0:
        return True
    return any(cache.add(_key(scope, ident, slot), 1, window) for slot in range(limit))
