"""Offline after the first visit, the help outbox and WeChat, on the production-mode server.

The service worker's own requests do not pass through Playwright's `context.route`, so these
tests run in a Chromium whose host resolver knows only this machine: nothing can leave it.
"""

from __future__ import annotations

import json
import re
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import Watched, phone_context
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

LANGUAGES = ["zh-hans", "en", "vi"]
PREFIX = {"zh-hans": "", "en": "/en", "vi": "/vi"}
# Near demo station demo-001 (the port of Fangchenggang); the test asks the server anyway.
POSITION = {"latitude": 21.60, "longitude": 108.35}
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; V2203A) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 "
    "MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 NetType/4G Language/zh_CN"
)


@pytest.fixture(scope="module")
def guarded_browser(browser):
    """A Chromium that cannot resolve any host but this machine, service workers included."""
    guarded = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost"],
    )
    yield guarded
    guarded.close()


@pytest.fixture
def phone(guarded_browser, prod_server):
    """Open phones (one context each) with service workers allowed; fail on page problems."""
    opened = []

    def open_phone(language="zh-hans", **options):
        context = phone_context(guarded_browser, language, service_workers="allow", **options)
        page = context.new_page()
        page.watched = Watched(prod_server.url)
        page.on("console", page.watched.on_console)
        page.on("pageerror", page.watched.on_page_error)
        opened.append((context, page))
        return context, page

    yield open_phone
    problems = []
    for context, page in opened:
        problems += page.watched.problems
        context.close()
    if problems:
        pytest.fail("offline page problems:\n" + "\n".join(problems))


def visit(page, url):
    """Open ``url`` and wait until the service worker has saved it (and the feed)."""
    reply = page.goto(url)
    assert reply is None or reply.status == 200, url
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=30000)


def worker_version(server) -> str:
    with urllib.request.urlopen(f"{server.url}/sw.js", timeout=30) as reply:
        body = reply.read().decode()
    return json.loads(re.search(r"self\.DRIVERHOME_SW = (\{.*\});", body).group(1))["version"]


def restart_until(server, done) -> str:
    """Restart gunicorn's workers (a deploy) and wait until the worker's version is done."""
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 60
    while True:
        try:
            version = worker_version(server)
            if done(version):
                return version
        except OSError:
            pass  # Workers restarting.
        assert time.monotonic() < deadline, "gunicorn did not pick up the release"
        time.sleep(0.3)


def nearest_station(server, position) -> dict:
    """The nearest published, not closed station to ``position``, asked of the server."""
    out = server.shell(
        "import json, math\n"
        "from stations.models import Station\n"
        f"lat, lon = {position['latitude']}, {position['longitude']}\n"
        "def km(s):\n"
        "    r = math.pi / 180\n"
        "    a = math.sin((s.latitude - lat) * r / 2) ** 2 + math.cos(lat * r) * "
        "math.cos(s.latitude * r) * math.sin((s.longitude - lon) * r / 2) ** 2\n"
        "    return 12742 * math.asin(math.sqrt(a))\n"
        "rows = [s for s in Station.objects.published() if s.status != 'temporarily_closed']\n"
        "s = min(rows, key=km)\n"
        "print(json.dumps({'name': s.name, 'slug': s.slug, 'tel': s.tel}))\n"
    )
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("language", LANGUAGES)
def test_station_page_and_home_reloaded_offline_show_emergency_line_and_stations(
    phone, prod_server, language
):
    context, page = phone(language, permissions=["geolocation"], geolocation=POSITION)
    prefix = PREFIX[language]
    visit(page, f"{prod_server.url}{prefix}/")
    visit(page, f"{prod_server.url}{prefix}/stations/demo-001/")
    name = page.locator("h1").inner_text()

    context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == name
    assert page.locator("#emergency-line").is_visible()
    assert page.locator("#emergency-line").get_attribute("href").startswith("tel:")
    assert page.locator("#offline-as-of time").get_attribute("datetime")
    assert page.locator("#offline-as-of").is_visible()

    # The home page: the offline page stands in, with the line and the nearest stations.
    page.goto(f"{prod_server.url}{prefix}/")
    assert page.locator("#emergency-line").is_visible()
    assert page.locator("#offline-emergency").get_attribute("href").startswith("tel:")
    page.wait_for_selector("#offline-stations li")
    assert page.locator("#offline-stations li").count() >= 3
    assert page.locator("#offline-feed-as-of time").get_attribute("datetime")
    first_link = page.locator("#offline-stations li a.offline-station-name").first
    assert first_link.get_attribute("href").startswith(f"{prefix}/stations/")


def test_border_crossing_pages_opened_before_stay_readable_offline(phone, prod_server):
    """The crossings are kept like stations: a crossing page the driver opened reloads with
    no signal, marked with the time it was saved."""
    context, page = phone("vi")
    visit(page, f"{prod_server.url}/vi/border/")
    page.locator("main a[href^='/vi/border/']").first.click()
    page.wait_for_load_state()
    visit(page, page.url)
    name = page.locator("h1").inner_text()

    context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == name
    assert page.locator("#offline-as-of").is_visible()
    page.goto(f"{prod_server.url}/vi/border/")
    assert page.locator("main a[href^='/vi/border/']").count() >= 2
    assert page.locator("#offline-as-of").is_visible()


def test_map_page_reloaded_offline_draws_the_saved_feed_and_says_as_of(phone, prod_server):
    context, page = phone("vi")
    visit(page, f"{prod_server.url}/vi/stations/map/")
    context.set_offline(True)
    page.reload()
    assert page.locator("#offline-as-of").is_visible()
    page.locator("#offline-feed-note time").wait_for()
    assert page.locator("#emergency-line").is_visible()
    page.wait_for_selector(".leaflet-marker-icon, .marker-cluster")


@pytest.mark.parametrize("language", LANGUAGES)
def test_offline_page_lists_the_nearest_saved_stations_with_call_links(
    phone, prod_server, language
):
    nearest = nearest_station(prod_server, POSITION)
    context, page = phone(language, permissions=["geolocation"], geolocation=POSITION)
    prefix = PREFIX[language]
    visit(page, f"{prod_server.url}{prefix}/")
    context.set_offline(True)
    # A page never visited: the navigation fails and the offline page answers.
    page.goto(f"{prod_server.url}{prefix}/events/")
    page.wait_for_selector("#offline-stations li")
    first = page.locator("#offline-stations li").first
    assert first.locator("a.offline-station-name").inner_text() == nearest["name"]
    assert first.locator("a.offline-station-name").get_attribute("href") == (
        f"{prefix}/stations/{nearest['slug']}/"
    )
    assert first.locator("a.call").get_attribute("href") == f"tel:{nearest['tel']}"
    assert re.search(r"\d+\.\d", first.locator(".offline-distance").inner_text())
    calls = page.locator("#offline-stations a[href^='tel:']")
    assert calls.count() >= 3
    # Sorted by distance.
    distances = [
        float(re.search(r"[\d.]+", text).group())
        for text in page.locator("#offline-stations .offline-distance").all_inner_texts()
    ]
    assert distances == sorted(distances)


@pytest.fixture
def fresh_rate_limits(prod_server):
    """Forget the help form's rate limits: each test is another driver on another network
    (the production-mode server is shared, and its limits count per address and phone)."""
    prod_server.shell("from django.core.cache import cache; cache.clear()")


def fill_help_form(page, description, phone_number, place):
    page.locator("input[name=category]").first.check()
    page.fill("#id_description", description)
    page.fill("#id_phone", phone_number)
    page.fill("#id_location_text", place)
    page.locator("#send-help").click()


def assert_sent_once_when_back_online(context, page, server, description):
    """Nothing stored while offline; one request, its code shown, once back online."""
    assert _help_rows(server, description) == []
    context.set_offline(False)
    code = page.locator("#help-outbox [data-state=sent] .outbox-code")
    code.wait_for(timeout=30000)
    rows = _help_rows(server, description)
    assert len(rows) == 1
    assert code.inner_text().replace("-", "") == rows[0]


def _help_rows(server, description) -> list[str]:
    out = server.shell(
        "from helpdesk.models.requests import HelpRequest\n"
        f"print(list(HelpRequest.objects.filter(description={description!r})"
        ".values_list('code', flat=True)))\n"
    )
    return eval(out.strip().splitlines()[-1])  # noqa: S307 (a list of codes we printed)


@pytest.mark.parametrize("language", ["zh-hans", "vi"])
def test_help_request_typed_offline_is_sent_once_when_back_online(
    phone, prod_server, fresh_rate_limits, language
):
    context, page = phone(language)
    prefix = PREFIX[language]
    description = f"Offline test {language} {time.time()}: the engine stopped on G219."
    visit(page, f"{prod_server.url}{prefix}/help/")

    context.set_offline(True)
    page.reload()
    assert page.locator("#offline-as-of").is_visible()
    fill_help_form(page, description, "13800138000", "G219 K12")
    kept = page.locator(".offline-kept")
    kept.wait_for()
    assert kept.locator("a[href^='tel:']").is_visible()
    assert page.locator("#help-outbox [data-state=waiting]").is_visible()
    assert_sent_once_when_back_online(context, page, prod_server, description)

    # Another visit sends nothing more, and still shows the code until it is dismissed.
    page.goto(f"{prod_server.url}{prefix}/")
    page.locator("#help-outbox [data-state=sent] .outbox-code").wait_for()
    page.locator("#help-outbox [data-state=sent] button").click()
    page.goto(f"{prod_server.url}{prefix}/")
    page.wait_for_load_state("load")
    assert page.locator("#help-outbox [data-state]").count() == 0
    assert len(_help_rows(prod_server, description)) == 1

    # A second request typed into the same saved copy of the form (same form token) is a
    # new request, not a repeat of the first.
    context.set_offline(True)
    page.goto(f"{prod_server.url}{prefix}/help/")
    assert page.locator("#offline-as-of").is_visible()
    second = description.replace("engine stopped", "tyre burst")
    fill_help_form(page, second, "13800138000", "G219 K14")
    page.locator(".offline-kept").wait_for()
    assert_sent_once_when_back_online(context, page, prod_server, second)
    assert len(_help_rows(prod_server, description)) == 1


def test_help_request_posted_on_a_dead_signal_is_kept_by_the_worker_and_sent_once(
    phone, prod_server, fresh_rate_limits
):
    context, page = phone("en")
    description = f"Weak signal test {time.time()}: out of fuel near Dongxing."
    visit(page, f"{prod_server.url}/en/help/")
    # The phone believes it is online, but nothing gets through: the worker catches the post.
    page.add_init_script("Object.defineProperty(navigator, 'onLine', {get: () => true})")
    page.reload()
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    context.set_offline(True)
    fill_help_form(page, description, "13800138001", "Dongxing")
    page.wait_for_url(f"{prod_server.url}/en/help/")
    page.locator("#help-outbox [data-state=waiting]").wait_for()
    assert page.locator("#help-outbox [data-state=waiting] a[href^='tel:']").is_visible()
    assert page.locator("#offline-as-of").is_visible()
    assert_sent_once_when_back_online(context, page, prod_server, description)


def _cache_names(page) -> list[str]:
    return page.evaluate("caches.keys()")


def test_new_release_replaces_the_old_caches(phone, prod_server):
    context, page = phone("en")
    visit(page, f"{prod_server.url}/en/stations/demo-002/")
    old = worker_version(prod_server)
    assert any(name.endswith(f"-{old}") and "precache" in name for name in _cache_names(page))

    static_root = Path(prod_server.env["STATIC_ROOT"])
    manifest_path = static_root / "staticfiles.json"
    saved = manifest_path.read_text()
    try:
        # A release: one precached file changed, collected under a new hashed name.
        manifest = json.loads(saved)
        current = manifest["paths"]["css/offline.css"]
        changed = "css/offline.feedfacecafe.css"
        (static_root / changed).write_text(
            (static_root / current).read_text() + "\n/* next release */\n"
        )
        manifest["paths"]["css/offline.css"] = changed
        manifest_path.write_text(json.dumps(manifest))
        new = restart_until(prod_server, lambda version: version != old)

        page.evaluate(
            """async () => {
              const registration = await navigator.serviceWorker.getRegistration();
              await registration.update();
              const worker = registration.installing || registration.waiting;
              if (worker && worker.state !== 'installed') {
                await new Promise((resolve) => worker.addEventListener('statechange', () => {
                  if (worker.state === 'installed' || worker.state === 'activated') resolve();
                }));
              }
            }"""
        )
        # The old release keeps the open page whole until it is closed.
        assert any(name.endswith(f"-{old}") for name in _cache_names(page))
        page.close()
        page = context.new_page()
        page.watched = Watched(prod_server.url)
        page.goto(f"{prod_server.url}/en/stations/demo-002/")
        page.wait_for_function(
            """([old, fresh]) => caches.keys().then((names) =>
                 names.some((n) => n.endsWith('-' + fresh) && n.includes('precache')) &&
                 names.some((n) => n === 'driverhome-pages-' + fresh) &&
                 !names.some((n) => n.endsWith('-' + old)))""",
            arg=[old, new],
            timeout=30000,
        )
        # The pages the old release had saved were saved again for the new one.
        saved_again = page.evaluate(
            """(fresh) => caches.open('driverhome-pages-' + fresh)
                 .then((cache) => cache.keys()).then((keys) => keys.map((r) => r.url))""",
            new,
        )
        assert f"{prod_server.url}/en/stations/demo-002/" in saved_again
        stylesheet = page.evaluate(
            "[...document.styleSheets].map((s) => s.href).filter((h) => h && h.includes('offline'))"
        )
        assert stylesheet == [f"{prod_server.url}/static/{changed}"]
    finally:
        manifest_path.write_text(saved)
        restart_until(prod_server, lambda version: version == old)


def test_wechat_station_page_offers_copy_buttons_and_no_geo_link(browser, prod_server):
    context = phone_context(
        browser,
        "zh-hans",
        service_workers="block",
        user_agent=WECHAT_UA,
        permissions=["clipboard-read", "clipboard-write"],
    )
    try:
        page = context.new_page()
        page.goto(f"{prod_server.url}/stations/demo-001/")
        page.locator("#copy-coordinates").wait_for()
        assert page.locator("#copy-address").is_visible()
        assert page.locator(".wechat-hint").is_visible()
        assert not page.locator('a[data-app="geo"]').is_visible()
        assert page.locator('a[data-app="amap"]').is_visible()
        assert page.locator('a[data-app="baidu"]').is_visible()
        page.locator("#copy-coordinates").click()
        page.wait_for_function("document.getElementById('copy-status').textContent !== ''")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert re.fullmatch(r"\d+\.\d{6},\d+\.\d{6}", copied)
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_ordinary_browser_shows_the_geo_link_and_no_copy_buttons(browser, prod_server, language):
    context = phone_context(browser, language, service_workers="block")
    try:
        page = context.new_page()
        page.goto(f"{prod_server.url}{PREFIX[language]}/stations/demo-001/")
        page.wait_for_load_state("load")
        assert page.locator('a[data-app="geo"]').is_visible()
        assert page.locator('a[data-app="geo"]').get_attribute("href").startswith("geo:")
        assert not page.locator("#wechat-navigate").is_visible()
        assert not page.locator("#copy-coordinates").is_visible()
    finally:
        context.close()
