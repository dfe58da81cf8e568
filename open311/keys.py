"""API keys: issued once, stored as a SHA-256 hash, found by a short public prefix."""

import hashlib
import hmac
import re
import secrets

# "<8 hex prefix>.<43 url-safe characters>"; anything else is refused before a query.
KEY_PATTERN = re.compile(r"\A([0-9a-f]{8})\.([A-Za-z0-9_-]{43})\Z")


def key_generate() -> tuple[str, str, str]:
    """Return (key, prefix, hash) for a new key; only the prefix and hash are stored."""
    prefix = secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    return key, prefix, key_hash(key)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str:
    """Return the key's prefix when the key is well formed, else ""."""
    match = KEY_PATTERN.match(str(key or ""))
    return match.group(1) if match else ""


def key_matches(key: str, stored_hash: str) -> bool:
    return hmac.compare_digest(key_hash(key), stored_hash)
