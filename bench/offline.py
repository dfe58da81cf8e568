"""Offline app: what a phone downloads once per release for the service worker's precache.

Run with `make bench` (or `.venv/bin/python bench/offline.py`). Reads the static files the
precache lists (portal/pwa.py) and prints their count and size, raw and gzip-compressed (as
whitenoise serves them), and the size of the worker's own scripts. No server needed.
"""

import gzip
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")


def main() -> None:
    import django

    django.setup()
    from django.contrib.staticfiles import finders

    from portal import pwa

    names = [name for name in pwa._static_names() if pwa._wanted(name)]
    contents = [Path(finders.find(name)).read_bytes() for name in names]
    raw = sum(len(body) for body in contents)
    packed = sum(len(gzip.compress(body)) for body in contents)
    worker = sum(Path(finders.find(name)).stat().st_size for name in pwa.WORKER_SCRIPTS)
    print(
        f"precache: {len(names)} static files, {raw / 1024:.0f} KiB raw, "
        f"{packed / 1024:.0f} KiB gzip (ratio {packed / raw:.2f}), plus the offline page "
        f"in {len(pwa.settings.LANGUAGES)} languages"
    )
    print(f"worker scripts (Workbox, outbox, logic): {worker / 1024:.0f} KiB raw")


if __name__ == "__main__":
    main()
