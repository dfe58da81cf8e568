"""Read the client's address the same way everywhere (lockouts, rate limits, sessions)."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """Return the address of the client that sent ``request``.

    Without a trusted proxy (``TRUSTED_PROXY_COUNT=0``) only ``REMOTE_ADDR`` counts, so a
    forged ``X-Forwarded-For`` header changes nothing. Behind N trusted proxies, the entry
    that the outermost trusted proxy appended is used: the N-th from the right.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


def coarse_address(address: str) -> str:
    """Return the network ``address`` belongs to, never the address itself.

    IPv4 keeps the first three parts (``203.0.113.x``), IPv6 the first three groups (a /48,
    about a site). Enough to tell "the station" from "somewhere else", not to find a person.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if ip.version == 4:
        return ".".join(str(ip).split(".")[:3]) + ".x"
    network = ipaddress.ip_network(f"{ip}/48", strict=False)
    return str(network)
