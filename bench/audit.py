"""`make audit`: Lighthouse (mobile) and a slow-link measurement of the public pages.

Run by hand, not in CI. Starts the portal as `make serve` runs it (gunicorn, DEBUG off,
hashed static files, demo data in a throwaway SQLite file; tests/browser/production.py), or
uses a running one given with `--url http://127.0.0.1:8000`, then:

1. Lighthouse 13 (mobile emulation, its default simulated throttling) on home, list, nearby,
   station, map, events and help, each page run twice (the shared machines' CPU moves the
   performance score from run to run): the four category scores of both runs.
   The JSON reports are kept in var/audit/reports/.
2. Installability, which Lighthouse 13 no longer reports: Chrome's own verdict
   (`Page.getInstallabilityErrors` over the DevTools protocol) and the manifest's fields.
3. A cold visit over a slow link (DevTools `Network.emulateNetworkConditions`: 250 kbps
   down, 50 kbps up, 300 ms round trip): first contentful paint of home and nearby, and the
   time to the first map marker on the map page.

The machine cannot reach a tile host, so a server it starts draws its maps with a stand-in:
one small blank PNG served from this script for every tile (so no console errors for
unreachable tiles, and the tiles' bytes are not a real tile host's).

Lighthouse and Node 22 (Lighthouse 13 needs it; Debian's Node 20 fails) are installed with
npm into var/audit/node_modules on the first run; nothing there is committed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The browser settings live with the test fixtures, which import Django models.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from tests.browser import production  # noqa: E402
from tests.browser.conftest import phone_context  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

TOOLS = ROOT / "var" / "audit"
NODE = TOOLS / "node_modules" / ".bin" / "node"
LIGHTHOUSE = TOOLS / "node_modules" / "lighthouse" / "cli" / "index.js"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
PAGES = {
    "home": "/",
    "list": "/stations/",
    "nearby": "/stations/nearby/?lat=21.610&lng=108.350",
    "station": "/stations/demo-002/",
    "map": "/stations/map/",
    "events": "/events/",
    "help": "/help/",
}
TARGETS = {"score": 95, "map performance": 90, "fcp_ms": 1500, "first marker_ms": 2500}
SLOW_LINK = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 250 * 1000 / 8,
    "uploadThroughput": 50 * 1000 / 8,
}
# Records when the first map marker (single or cluster) is in the page, when the first
# marker image has loaded, and when Leaflet's own first marker (clickable, with its popup) is
# drawn: before that, the first view's markers are map-preview.js's stand-ins. Added
# through the DevTools protocol, outside the page's CSP.
MARKER_PROBE = """
(() => {
  const seen = (window.__markers = {});
  const check = () => {
    const any = document.querySelector(".leaflet-marker-icon");
    if (any && !seen.element) seen.element = performance.now();
    if (!seen.leaflet && document.querySelector(".leaflet-marker-pane .leaflet-marker-icon")) {
      seen.leaflet = performance.now();
    }
    for (const img of document.querySelectorAll("img.leaflet-marker-icon")) {
      if (img.complete && img.naturalWidth > 0) { seen.image = seen.image || performance.now(); }
      else img.addEventListener("load", check, { once: true });
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
})();
"""


class BlankTile(BaseHTTPRequestHandler):
    """Answer every path with the same light 256x256 PNG: a stand-in tile host."""

    body = b""

    def do_GET(self):  # noqa: N802 (the handler's required name)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.body)))
        self.send_header("Cache-Control", "public, max-age=86400")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def start_tile_server() -> ThreadingHTTPServer:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (236, 234, 228)).save(buffer, "PNG")
    BlankTile.body = buffer.getvalue()
    server = ThreadingHTTPServer(("127.0.0.1", 0), BlankTile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def ensure_tools() -> None:
    """Install Lighthouse and Node 22 into var/audit (once)."""
    if LIGHTHOUSE.exists() and NODE.exists():
        return
    TOOLS.mkdir(parents=True, exist_ok=True)
    (TOOLS / "package.json").write_text('{"private": true}\n')
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "lighthouse@13", "node@22"],
        cwd=TOOLS,
        check=True,
    )
    # npm 11 leaves install scripts unrun unless approved; this one fetches the binary.
    subprocess.run(
        ["node", "installArchSpecificPackage.js"], cwd=TOOLS / "node_modules" / "node", check=True
    )


def lighthouse(url: str, out: Path) -> dict[str, int]:
    """Run Lighthouse (mobile) on ``url``; return the category scores out of 100."""
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    command = [
        str(NODE),
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={flags}",
    ]
    # Lighthouse now and then loses the trace on a busy machine (NO_NAVSTART): try again.
    for _attempt in range(3):
        done = subprocess.run(
            command, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=False, timeout=300
        )
        if done.returncode == 0:
            break
    else:
        raise RuntimeError(f"Lighthouse failed three times on {url}")
    report = json.loads(out.read_text())
    scores = {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}
    scores["benchmark"] = round(report["environment"]["benchmarkIndex"])
    failing = [
        audit["id"]
        for audit in report["audits"].values()
        if audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")
        and audit.get("score") is not None
        and audit["score"] < 0.9
    ]
    scores["failing"] = failing  # type: ignore[assignment]
    return scores


def installability(playwright, base: str) -> dict:
    """Chrome's installability errors for the home page, and the manifest's main fields.

    A persistent profile: Chrome never offers to install from an incognito-like context,
    which is what a plain Playwright context is.
    """
    profile = tempfile.mkdtemp(prefix="driverhome-audit-profile-")
    context = playwright.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    page = context.new_page()
    page.goto(base + "/")
    page.wait_for_load_state("networkidle")
    # Give a service worker a moment to take control, as Chrome does before it offers install.
    page.evaluate(
        "() => 'serviceWorker' in navigator && navigator.serviceWorker.getRegistration()"
        ".then(r => r && navigator.serviceWorker.ready)"
    )
    cdp = context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors").get("installabilityErrors", [])
    manifest = cdp.send("Page.getAppManifest")
    context.close()
    fields = {}
    if manifest.get("data"):
        data = json.loads(manifest["data"])
        fields = {
            key: data.get(key) for key in ("name", "short_name", "start_url", "display", "scope")
        }
        fields["icons"] = [icon.get("sizes") for icon in data.get("icons", [])]
    return {
        "installable": not errors,
        "errors": [error["errorId"] for error in errors],
        "manifest": manifest.get("url") or None,
        "fields": fields,
    }


def slow_visit(browser, url: str, *, marker: bool = False) -> dict[str, float | None]:
    """Visit ``url`` with an empty cache over the slow link; return paint and marker times."""
    # The production-mode tests' 360x740 phone, refused anything off this machine.
    context = phone_context(browser, "zh-hans", service_workers="block")
    page = context.new_page()
    if marker:
        page.add_init_script(MARKER_PROBE)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    page.goto(url, wait_until="load", timeout=120_000)
    result: dict[str, float | None] = {}
    # Functions, not expressions: Playwright evaluates expressions with eval(), which the
    # page's CSP refuses.
    page.wait_for_function(
        "() => performance.getEntriesByName('first-contentful-paint').length > 0",
        timeout=60_000,
    )
    result["fcp_ms"] = page.evaluate(
        "() => performance.getEntriesByName('first-contentful-paint')[0].startTime"
    )
    if marker:
        page.wait_for_function(
            "() => window.__markers && window.__markers.image && window.__markers.leaflet",
            timeout=60_000,
        )
        times = page.evaluate("() => window.__markers")
        result["first marker_ms"] = times.get("element")
        result["first marker image_ms"] = times.get("image")
        result["first Leaflet marker_ms"] = times.get("leaflet")
    result["bytes"] = page.evaluate(
        "() => performance.getEntries().reduce((n, e) => n + (e.transferSize || 0), 0)"
    )
    if marker:
        # Where the time goes before the first marker: every request, when it started and
        # ended (ms from navigation), and the bytes it carried.
        result["requests"] = page.evaluate(
            """() => [performance.getEntriesByType("navigation")[0],
                      ...performance.getEntriesByType("resource")].map((e) => [
                e.name.replace(location.origin, ""), Math.round(e.startTime),
                Math.round(e.responseEnd), e.transferSize || 0])"""
        )
    context.close()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running portal (make serve); default: start one")
    parser.add_argument("--runs", type=int, default=2, help="Lighthouse runs per page")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    parser.add_argument(
        "--slow-only", action="store_true", help="only the slow-link visit (no Lighthouse)"
    )
    args = parser.parse_args()
    if args.slow_only:
        args.pages = ""
    else:
        ensure_tools()
    work = Path(tempfile.mkdtemp(prefix="driverhome-audit-"))
    reports = TOOLS / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    server = tiles = None
    if args.url:
        base = args.url.rstrip("/")
    else:
        tiles = start_tile_server()
        tile_url = f"http://127.0.0.1:{tiles.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        server = production.start(work, {"MAP_TILES_URL": tile_url})
        base = server.url.replace("localhost", "127.0.0.1")
    misses = []
    try:
        print(f"Lighthouse (mobile) against {base}, {args.runs} run(s) a page")
        print(f"{'page':8} {'run':>3} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5} {'bench':>6}")
        for name in filter(None, args.pages.split(",")):
            for run in range(1, args.runs + 1):
                scores = lighthouse(base + PAGES[name], reports / f"{name}-{run}.json")
                print(
                    f"{name:8} {run:>3} {scores['performance']:>5} {scores['accessibility']:>5}"
                    f" {scores['best-practices']:>5} {scores['seo']:>5}"
                    f" {scores['benchmark']:>6}  below 0.9: {', '.join(scores['failing']) or '-'}",
                    flush=True,
                )
                for category in CATEGORIES:
                    target = TARGETS["score"]
                    if name == "map" and category == "performance":
                        target = TARGETS["map performance"]
                    if scores[category] < target:
                        misses.append(f"{name} run {run} {category} {scores[category]} < {target}")

        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            if not args.slow_only:
                install = installability(playwright, base)
                verdict = "yes" if install["installable"] else "no"
                print(f"\nInstallable (Chrome's own check): {verdict}")
                print(f"  manifest: {install['manifest'] or 'none'} {install['fields'] or ''}")
                if install["errors"]:
                    print(f"  errors: {', '.join(install['errors'])}")
                    misses.append("not installable")
            print("\nSlow link (250 kbps down, 50 kbps up, 300 ms RTT), cold visit, 360x740:")
            for name, marker in (("home", False), ("nearby", False), ("map", True)):
                figures = slow_visit(browser, base + PAGES[name], marker=marker)
                requests = figures.pop("requests", [])
                shown = ", ".join(
                    f"{key} {value / 1000:.2f} s"
                    if key.endswith("_ms") and value is not None
                    else f"{key} {value}"
                    for key, value in figures.items()
                )
                print(f"  {name:7} {shown}", flush=True)
                first = figures.get("first marker_ms") or 0
                before = [row for row in requests if row[2] <= first]
                if requests:
                    print(
                        f"          before the first marker: {len(before)} requests,"
                        f" {sum(row[3] for row in before)} bytes"
                    )
                for url, start, end, size in requests:
                    mark = "*" if end <= first else " "
                    print(f"          {mark} {start:>5}-{end:>5} ms {size:>6} B  {url[:70]}")
                for key in ("fcp_ms", "first marker_ms"):
                    if key in figures and (figures[key] or 1e9) > TARGETS[key]:
                        misses.append(f"{name} {key[:-3]} {figures[key]:.0f} ms > {TARGETS[key]}")
            browser.close()
    finally:
        if server is not None:
            server.stop()
        if tiles is not None:
            tiles.shutdown()
    print("\nTargets: scores >= 95 (map performance >= 90), installable, FCP <= 1.5 s,")
    print("first marker <= 2.5 s.", "All met." if not misses else "Missed:")
    for miss in misses:
        print(f"  {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
