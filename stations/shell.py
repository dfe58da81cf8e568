"""The nearby page from a cached shell: rendered once per query, language and data version.

The nearby page cannot be stored whole: it holds the driver's position, which is never kept
(not in the page cache, not in a key). But all of it except the position and the results is
the same for every driver who asks with the same filters: the header, the language links,
the form with its landmarks and amenity boxes, the footer. That part, the *shell*, is
rendered with stand-ins where the position goes (``LAT``, ``LNG``: in the coordinate inputs
and in the language links' query strings) and a marker where the results go, and stored in
the shared cache under the query string *with the stand-ins*, so neither the key nor the
stored page holds a position. A request fills the shell with its own coordinates (exactly as
typed: only plain decimals qualify, which read the same in HTML and in a URL) and its
results (the cards, themselves cached: ``stations.cards``), fetched in the same round trip.

Rendering the shell was most of the page's time (docs/performance.md has the figures). It
is used only where the whole page could be cached (``portal.lib.sharing.shareable_request``:
no session, no messages), and a filled shell is byte for byte the page a full render gives
(``tests/stations/test_nearby_shell.py``).
"""

import copy
import hashlib
import re

from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from portal.lib import sharing

# Stand-ins for the coordinates: letters and digits only, so HTML escaping and URL quoting
# leave them as they are.
LAT = "zq7latq7z"
LNG = "zq7lngq7z"
# Where the results go: a private-use character, never in a query a shell is used for.
RESULTS = "\ue000results\ue000"
STORE_SECONDS = 120
# A coordinate as the phone sends it (rounded decimals), or nothing.
_PLAIN = re.compile(r"(?:-?\d{1,3}(?:\.\d{1,12})?)?\Z")
_STAND_INS = (LAT, LNG, "\ue000")


def _split_query(query_string: str) -> list[str] | None:
    """The query's parameters with the coordinates' values stood in, or None if unusable."""
    parts, seen = [], set()
    for part in query_string.split("&"):
        name, equals, value = part.partition("=")
        if name in ("lat", "lng"):
            if name in seen or not equals or not _PLAIN.match(value):
                return None
            seen.add(name)
            part = f"{name}={LAT if name == 'lat' else LNG}"
        parts.append(part)
    return parts


def key_for(request) -> str | None:
    """The shell's cache key for this request, or None when the page is rendered in full."""
    if not sharing.shareable_request(request):
        return None
    for name, values in request.GET.lists():
        if any(mark in text for text in (name, *values) for mark in _STAND_INS):
            return None
    parts = _split_query(request.META.get("QUERY_STRING", ""))
    if parts is None:
        return None
    query = "&".join(parts)
    where = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    return f"nearby-shell:{sharing.static_release()}:{request.LANGUAGE_CODE}:{digest}"


def minute(now) -> str:
    """The local minute a shell is good for: like the page cache, never older than that (a
    release that changed only templates shows within the minute)."""
    return timezone.localtime(now).strftime("%Y%m%d%H%M")


def render(request, template_name: str, context: dict) -> str | None:
    """Render the shell: the page with the stand-ins for the position and results.

    None if what was rendered must not be shared: a CSRF token or a CSP nonce (one visitor's
    secrets) in the page, as the page cache refuses them too.
    """
    parts = _split_query(request.META.get("QUERY_STRING", ""))
    query = "&".join(parts or [])
    shell_request = copy.copy(request)
    shell_request.META = {**request.META, "QUERY_STRING": query}
    shell_request.GET = QueryDict(query)
    # The same valid form, showing the stand-ins in the coordinate inputs.
    form = copy.copy(context["form"])
    form.data = shell_request.GET
    form._bound_fields_cache = {}
    shell_context = {**context, "form": form, "results": mark_safe(RESULTS)}  # noqa: S308
    html = render_to_string(template_name, shell_context, request=shell_request)
    secret = "csrfmiddlewaretoken" in html or "nonce=" in html
    if shell_request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or secret or RESULTS not in html:
        return None
    return html


def fill(shell: str, request, results: str) -> str:
    """The page for this request: its coordinates and results in the shell."""
    before, after = shell.split(RESULTS, 1)
    lat, lng = request.GET.get("lat", ""), request.GET.get("lng", "")
    before = before.replace(LAT, lat).replace(LNG, lng)
    return before + results + after.replace(LAT, lat).replace(LNG, lng)
