"""Public pages as `make serve` runs them: DEBUG off, hashed static files, gunicorn.

Every public page in each language on a 360x740 phone: no own asset >= 400, no page error,
no CSP violation (the `prod_page` fixture fails the test on those), and no serious or
critical axe-core violation. Then the maps: markers are images that loaded, Leaflet speaks
the page language, controls fit a thumb, and "you are here" appears after locating.
"""

import re

import pytest
from django_otp.oath import totp

from .axe import axe_violations, describe

pytestmark = pytest.mark.browser

LANGUAGES = ["zh-hans", "en", "vi"]
PREFIX = {"zh-hans": "", "en": "/en", "vi": "/vi"}  # Chinese is the default: no prefix
STATION = "/stations/demo-002/"
# Public pages a driver reaches; the event page is found on the events list.
PAGES = [
    "/",
    "/stations/",
    "/stations/nearby/?lat=21.610&lng=108.350",
    STATION,
    "/stations/map/",
    "/events/",
    "/help/",
    "/help/track/",
    "/help/privacy/",
    "/help/figures/",
    "/wishes/",
]
# Feeds and calendars are fetched, not shown: they must answer, in their own type.
FEEDS = {
    "/events/feed/": "xml",
    "/events/feed/atom/": "xml",
    "/events.ics": "text/calendar",
    "/stations.geojson": "application/geo+json",
}
HASHED_ICON = r"/static/leaflet/images/marker-icon(-2x)?\.[0-9a-f]{12}\.png$"
ZOOM_IN = {"zh-hans": "放大", "en": "Zoom in", "vi": "Phóng to"}


def _settle(page):
    # Maps draw after DOMContentLoaded; the feed and icons arrive a moment later.
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_public_page_loads_cleanly_and_passes_axe(prod_server, prod_page, language):
    page = prod_page
    prefix = PREFIX[language]
    failures = []
    urls = [prefix + path for path in PAGES]
    page.goto(prod_server.url + prefix + "/events/")
    event = page.locator("a[href*='/events/']").evaluate_all(
        "links => links.map(a => a.getAttribute('href')).find(h => /\\/events\\/\\d+\\/$/.test(h))"
    )
    assert event, "the demo data has a published event"
    urls.append(event)
    for url in urls:
        reply = page.goto(prod_server.url + url)
        assert reply.status == 200, url
        _settle(page)
        assert page.locator("html").get_attribute("lang").lower().startswith(language[:2])
        # Nothing wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
        failures += describe(url, axe_violations(page))
    for path, kind in FEEDS.items():
        language_prefix = prefix if path.startswith("/events/") else ""
        reply = page.request.get(prod_server.url + language_prefix + path)
        assert reply.status == 200, path
        assert kind in reply.headers["content-type"], path
    assert not failures, "axe-core (serious, critical):\n" + "\n".join(failures)


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_name_every_language_with_absolute_alternates(prod_server, prod_page, language):
    prod_page.goto(f"{prod_server.url}{PREFIX[language]}/stations/")
    alternates = dict(
        prod_page.locator("link[rel=alternate][hreflang]").evaluate_all(
            "links => links.map(l => [l.hreflang, l.getAttribute('href')])"
        )
    )
    assert alternates == {
        "zh-hans": f"{prod_server.url}/stations/",
        "en": f"{prod_server.url}/en/stations/",
        "vi": f"{prod_server.url}/vi/stations/",
        "x-default": f"{prod_server.url}/stations/",
    }


def _loaded_markers(page, selector):
    """The marker images under ``selector`` that the browser decoded."""
    return page.locator(f"{selector} img.leaflet-marker-icon").evaluate_all(
        "imgs => imgs.map(i => ({src: i.src, width: i.naturalWidth, done: i.complete, alt: i.alt}))"
    )


def _wait_for_loaded_marker(page, selector):
    page.wait_for_function(
        "s => [...document.querySelectorAll(s + ' img.leaflet-marker-icon')]"
        ".some(i => i.complete && i.naturalWidth > 0)",
        arg=selector,
    )


def _assert_hashed_and_loaded(markers):
    assert markers
    for marker in markers:
        assert marker["done"] and marker["width"] > 0, marker
        # The manifest storage's hashed name, not Leaflet's guess next to the page.
        assert re.search(HASHED_ICON, marker["src"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_map_markers_are_loaded_images_and_leaflet_speaks_the_language(
    prod_server, prod_page, language
):
    page = prod_page
    page.goto(f"{prod_server.url}{PREFIX[language]}/stations/map/")
    page.wait_for_selector("#map-count[data-count]")
    # At the first zoom most stations are in clusters: open clusters until single markers show.
    for _ in range(4):
        if page.locator("#stations-map img.leaflet-marker-icon").count():
            break
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(300)
    _wait_for_loaded_marker(page, "#stations-map")
    markers = _loaded_markers(page, "#stations-map")
    _assert_hashed_and_loaded(markers)
    # A marker is named after its station, not Leaflet's English "Marker".
    assert all(marker["alt"] and marker["alt"] != "Marker" for marker in markers)
    zoom_in = page.locator(".leaflet-control-zoom-in")
    assert zoom_in.get_attribute("title") == ZOOM_IN[language]
    credit = page.locator(".leaflet-control-attribution a[href='https://leafletjs.com']")
    assert credit.get_attribute("title") != "A JavaScript library for interactive maps"
    # Map controls fit a thumb.
    zoom_out = page.locator(".leaflet-control-zoom-out")
    for control in (zoom_in, zoom_out, page.locator(".map-locate-button")):
        box = control.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44


def test_map_shows_you_are_here_after_locating(prod_server, prod_page):
    page = prod_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 21.6, "longitude": 108.3, "accuracy": 50})
    page.goto(f"{prod_server.url}/en/stations/map/")
    page.wait_for_selector("#map-count[data-count]")
    page.get_by_role("button", name="Show where I am").click()
    page.wait_for_selector("#stations-map[data-located]")
    assert page.locator(".leaflet-tooltip", has_text="You are here").is_visible()
    assert page.locator("#map-locate-status").inner_text() == "You are here"


def test_station_page_small_map_marker_is_a_loaded_image(prod_server, prod_page):
    page = prod_page
    page.goto(f"{prod_server.url}/vi{STATION}")
    _wait_for_loaded_marker(page, "#station-leaflet")
    markers = _loaded_markers(page, "#station-leaflet")
    _assert_hashed_and_loaded(markers)
    assert markers[0]["alt"] == page.locator("h1").inner_text()
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Phóng to"


ROOT_KEY = "3132333435363738393031323334353637383930"


def test_admin_location_picker_marker_is_a_loaded_image(prod_server, prod_page):
    prod_server.shell(
        "from accounts.models import User\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "user = User.objects.filter(username='prod-root').first() or "
        "User.objects.create_superuser('prod-root', '', 'prod-root-password-42')\n"
        f"TOTPDevice.objects.get_or_create(user=user, defaults={{'key': '{ROOT_KEY}'}})"
    )
    page = prod_page
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(f"{prod_server.url}/admin/login/?next=/admin/stations/station/")
    page.fill("#id_username", "prod-root")
    page.fill("#id_password", "prod-root-password-42")
    page.locator("main form [type=submit]").first.click()
    # Superusers pass the second factor: a code from the authenticator key made above.
    page.wait_for_url(re.compile(r".*/staff/account/code/.*"))
    page.fill("input[name=code]", f"{totp(bytes.fromhex(ROOT_KEY)):06d}")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/admin/stations/station/$"))
    page.locator("#result_list tbody a").first.click()
    _wait_for_loaded_marker(page, "#location-picker")
    _assert_hashed_and_loaded(_loaded_markers(page, "#location-picker"))
