"""Phone layout figures at 360x740: header, emergency bar, where the first nearby result starts.

Run with `.venv/bin/python bench/phone_layout.py`. Starts the portal as `make serve` runs it
(tests/browser/production.py: gunicorn, DEBUG off, hashed static files, demo data) on
loopback, locates a phone at the Fangchenggang port gate with "use my location" and prints,
for zh-hans, en and vi, the height of the header and of the emergency bar (fixed to the
bottom of the screen) and the top of the first nearby result. Needs Chromium
(/usr/bin/chromium). About 30 seconds.
"""

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")

PREFIX = {"zh-hans": "", "en": "/en", "vi": "/vi"}
LOCATE = {"zh-hans": "使用我的位置", "en": "Use my location", "vi": "Dùng vị trí của tôi"}
PORT_GATE = {"latitude": 21.58137, "longitude": 108.36249}


def main() -> None:
    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    from tests.browser import production
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    server = production.start(Path(tempfile.mkdtemp(prefix="driverhome-layout-")))
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            print(f"{'language':10} {'header':>7} {'bar':>5} {'first result top':>17}")
            for language, prefix in PREFIX.items():
                context = browser.new_context(
                    viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
                )
                context.grant_permissions(["geolocation"])
                context.set_geolocation(PORT_GATE)
                page = context.new_page()
                page.goto(f"{server.url}{prefix}/stations/nearby/")
                page.get_by_role("button", name=LOCATE[language]).click()
                page.wait_for_url(re.compile(r".*lat=.*"))
                header = page.locator(".site-header").bounding_box()["height"]
                bar = page.locator(".emergency-bar").bounding_box()["height"]
                first = page.locator("#nearby-results .station-card").first.bounding_box()["y"]
                print(f"{language:10} {header:>5.0f}px {bar:>3.0f}px {first:>15.0f}px")
                context.close()
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
