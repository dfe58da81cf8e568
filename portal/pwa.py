"""The offline app: what the service worker precaches, and its release version.

The precache list is built here, on the server, from the static files storage, so the
worker fetches exactly the URLs the pages use: with the manifest storage those are the
hashed names (``css/site.3f1c….css``). The version is a digest of every precached URL and
of the offline pages' content; it names the worker's caches, so a release that changes any
of them installs a whole new set of caches beside the old one and swaps at activation.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
from typing import TypedDict

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

# What a driver's pages need offline: the site's styles and scripts, icons, Leaflet and its
# images. Staff-only assets and the admin's are left to the network.
PRECACHE_PATTERNS = (
    "css/*.css",
    "js/*.js",
    "img/*",
    "icons/*",
    "leaflet/leaflet.css",
    "leaflet/leaflet.extras.css",
    "leaflet/leaflet.js",
    "leaflet/leaflet.extras.js",
    "leaflet/images/*",
)
PRECACHE_EXCLUDED = (
    "css/stations-admin.css",
    "css/members.css",
    "css/accounts.css",
    "js/station-location-picker.js",
    "js/sw-main.js",
)
# Loaded by the worker itself with importScripts, in this order (Workbox's module builds).
WORKER_SCRIPTS = (
    "vendor/workbox/workbox-core.prod.js",
    "vendor/workbox/workbox-routing.prod.js",
    "vendor/workbox/workbox-strategies.prod.js",
    "vendor/workbox/workbox-precaching.prod.js",
    "vendor/workbox/workbox-expiration.prod.js",
    "js/help-outbox.js",
    "js/sw-main.js",
)
# Pages the worker keeps once a driver has opened them (network first, the saved copy when
# the network fails): the station list, station pages, the border crossings and their pages
# and the help form, in each language.
# Never a staff page, never a URL with a query (nearby results carry a position). The home
# page is not kept: without a connection the offline page stands in for it, with the
# emergency line and the nearest stations worked out from the saved feed.
CACHED_PAGES = (
    r"^/(?:(?:{prefixes})/)?(?:stations/(?:[-a-zA-Z0-9_]+/)?|border/(?:[-a-zA-Z0-9_]+/)?|help/)$"
)

# The help form's address in each language: a post there that cannot reach the server is
# kept in the phone's outbox by the worker.
HELP_FORM = r"^/(?:(?:{prefixes})/)?help/$"


class PrecacheEntry(TypedDict):
    url: str
    revision: str | None


class WorkerConfig(TypedDict):
    version: str
    precache: list[PrecacheEntry]
    offline: dict[str, str]
    defaultLanguage: str
    pages: str
    feed: str
    crossingsFeed: str
    helpForm: str
    helpMinFillSeconds: int
    scripts: list[str]


def _static_names() -> list[str]:
    """Every static file name the finders know, as collectstatic would gather them."""
    names = set()
    for finder in finders.get_finders():
        for path, _storage in finder.list(["CVS", ".*", "*~"]):
            names.add(path.replace("\\", "/"))
    return sorted(names)


def _wanted(name: str) -> bool:
    return name not in PRECACHE_EXCLUDED and any(
        fnmatch.fnmatchcase(name, pattern) for pattern in PRECACHE_PATTERNS
    )


def _static_entries() -> list[PrecacheEntry]:
    hashed = isinstance(staticfiles_storage, ManifestFilesMixin)
    entries: list[PrecacheEntry] = []
    for name in _static_names():
        if not _wanted(name):
            continue
        revision = None
        if not hashed:
            # Plain storage (development): the URL does not change with the content.
            path = finders.find(name)
            with open(str(path), "rb") as handle:
                revision = hashlib.sha256(handle.read()).hexdigest()[:16]
        entries.append({"url": staticfiles_storage.url(name), "revision": revision})
    return entries


def _offline_fingerprint() -> str:
    """A digest of the offline page in every language (templates and translations)."""
    digest = hashlib.sha256(settings.EMERGENCY_PHONE.encode())
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            digest.update(render_to_string("portal/offline.html").encode())
    return digest.hexdigest()


def _build() -> WorkerConfig:
    entries = _static_entries()
    offline: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            offline[code] = reverse("offline")
    scripts = [staticfiles_storage.url(name) for name in WORKER_SCRIPTS]
    fingerprint = _offline_fingerprint()
    pages: list[PrecacheEntry] = [
        {"url": url, "revision": fingerprint[:16]} for url in offline.values()
    ]
    precache = entries + pages
    digest = hashlib.sha256(json.dumps([precache, scripts], sort_keys=True).encode()).hexdigest()
    prefixes = "|".join(
        code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
    )
    return {
        "version": digest[:12],
        "precache": precache,
        "offline": offline,
        "defaultLanguage": settings.LANGUAGE_CODE,
        "pages": CACHED_PAGES.format(prefixes=prefixes),
        "feed": reverse("stations-feed"),
        "crossingsFeed": reverse("crossings-feed"),
        "helpForm": HELP_FORM.format(prefixes=prefixes),
        "helpMinFillSeconds": settings.HELP_MIN_FILL_SECONDS,
        "scripts": scripts,
    }


@functools.cache
def _built_once() -> WorkerConfig:
    return _build()


def worker_config() -> WorkerConfig:
    """Return the worker's configuration; computed once a process with hashed static files."""
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        return _built_once()
    return _build()


def worker_script() -> str:
    """The body of /sw.js: the configuration, then the worker's scripts by their static URLs."""
    config = worker_config()
    imports = ", ".join(json.dumps(url) for url in config["scripts"])
    return (
        "// Driver Home service worker; its logic is in static/js/sw-main.js.\n"
        f"self.DRIVERHOME_SW = {json.dumps(config, sort_keys=True)};\n"
        f"importScripts({imports});\n"
    )
