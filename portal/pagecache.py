"""The shared page cache: anonymous visitors' GETs of the public pages and feeds.

A middleware (``PageCacheMiddleware``, after ``LocaleMiddleware``) rather than a decorator on
views, so the apps' views stay as they are and what is cached is one list here
(``CACHED_VIEWS``). docs/performance.md has the reasoning and the figures.

A page is stored under its full path (query string included), language and release (its
hashed static files), with the data
version (``portal.lib.dataversion``) and the local minute it was rendered in. It is served
only while both are still current: a write of the data it shows (saves, deletes, bulk
writes, imports) or the next minute (open now, the next events) makes it miss. One round
trip to the cache fetches the page and the current version together.

Never cached, never served from the cache:
- a request carrying a session or messages cookie (signed-in staff, a visitor with a notice
  to see): they get the page rendered for them;
- a response that sets a cookie, used the CSRF token, carries a CSP nonce, is not a 200, or
  says ``private``/``no-store``/``no-cache``;
- any view not in ``CACHED_VIEWS`` (staff pages, forms, nearby with its position).
"""

import functools
import hashlib
import logging

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.text import compress_string

from portal import pwa
from portal.lib import dataversion, sharing

logger = logging.getLogger("portal.cache")

# URL names of the public pages and feeds an anonymous visitor may get from the cache.
CACHED_VIEWS = frozenset(
    {
        "home",
        "stations:list",
        "stations:detail",
        "stations-feed",
        "events:list",
        "events:detail",
        "events:ics",
        "events:calendar",
        "events:feed",
        "events:feed-atom",
    }
)

# Seconds a stored page is kept: it can only be served within its own minute anyway.
STORE_SECONDS = 120
# Response headers never stored (the cache must not hand one visitor's cookie to another).
_NOT_STORED = {"set-cookie"}


def _minute() -> str:
    return timezone.localtime(timezone.now()).strftime("%Y%m%d%H%M")


@functools.cache
def release() -> str:
    """This release's static files (the offline app's version): pages name hashed files, so
    a page stored by the previous release must not outlive it."""
    return pwa.worker_config()["version"]


def page_key_for(full_path: str, language: str) -> str:
    """The cache key of a page: release, language and full path (query string included)."""
    digest = hashlib.sha256(full_path.encode()).hexdigest()[:32]
    return f"page:{release()}:{language}:{digest}"


def page_key(request) -> str:
    return page_key_for(request.get_full_path(), request.LANGUAGE_CODE)


def _cacheable_request(request) -> bool:
    if not sharing.shareable_request(request):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.view_name in CACHED_VIEWS


def _storable(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    # Django marks a request whose page used the CSRF token (get_token) this way.
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    cache_control = response.get("Cache-Control", "")
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    policy = response.get("Content-Security-Policy", "")
    return "'nonce-" not in policy


class PageCacheMiddleware:
    """Serve anonymous GETs of the public pages from the shared cache (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        minute = _minute()
        try:
            found = cache.get_many([key, dataversion.VERSION_KEY])
        except Exception:  # noqa: BLE001 (a cache that does not answer is a miss)
            logger.warning("The shared cache did not answer: the page is rendered afresh.")
            return self.get_response(request)
        version = found.get(dataversion.VERSION_KEY) or dataversion.current()
        stored = found.get(key)
        if version and stored and stored["version"] == version and stored["minute"] == minute:
            return self._from_cache(request, stored)
        response = self.get_response(request)
        # The stored page is shared by every anonymous visitor: one with a session cookie
        # gets another rendering, so shared caches downstream must tell them apart.
        patch_vary_headers(response, ("Cookie",))
        if version and _storable(request, response):
            entry = {
                "version": version,
                "minute": minute,
                "content": response.content,
                # Compressed once here rather than on every hit (see _from_cache).
                "gzip": compress_string(response.content) if len(response.content) >= 200 else None,
                "headers": [
                    (name, value)
                    for name, value in response.items()
                    if name.lower() not in _NOT_STORED
                ],
            }
            try:
                cache.set(key, entry, STORE_SECONDS)
            except Exception:  # noqa: BLE001
                logger.warning("The shared cache did not answer: the page was not stored.")
        response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def _from_cache(request, stored) -> HttpResponse:
        # Compressed at storing time. Django's GZipMiddleware pads each response at random
        # against BREACH, which needs a secret in the page: a stored page never holds one
        # (no CSRF token, no session), so one compression serves every visitor.
        compressed = stored.get("gzip") and re_accepts_gzip.search(
            request.headers.get("Accept-Encoding", "")
        )
        response = HttpResponse(stored["gzip"] if compressed else stored["content"])
        for name, value in stored["headers"]:
            response[name] = value
        if compressed:
            response["Content-Encoding"] = "gzip"
            response["Content-Length"] = str(len(stored["gzip"]))
            etag = response.get("ETag")
            if etag and not etag.startswith("W/"):
                response["ETag"] = "W/" + etag
        patch_vary_headers(response, ("Accept-Encoding",))
        response["X-Page-Cache"] = "hit"
        # The feeds answer a revalidation with 304, from the cache too.
        etag = response.get("ETag")
        if etag and request.headers.get("If-None-Match"):
            conditional = get_conditional_response(request, etag=etag, response=response)
            if conditional is not response:
                return conditional
        return response
