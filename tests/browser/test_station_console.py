"""A station manager keeps a station live from a 360x740 phone, in each language, on the
production-mode server: flip an amenity, set parking to full, close the station for now
(with the reason's Vietnamese text too), mark it checked. Each change shows on the public
station page and in the feed at the very next request."""

import json
import re

import pytest

from tests.browser.conftest import phone_context

pytestmark = pytest.mark.browser

PREFIX = {"zh-hans": "", "en": "/en", "vi": "/vi"}
PASSWORD = "live-manager-password-42"  # noqa: S105 (a throwaway test account)
# What the public page says after each change, in the page's language.
EXPECTED = {
    "zh-hans": {"out": "暂停使用", "full": "已满", "closed": "暂停服务", "verified": "最近核实"},
    "en": {
        "out": "Out of order",
        "full": "Full",
        "closed": "Temporarily closed",
        "verified": "Last verified",
    },
    "vi": {
        "out": "Tạm ngừng",
        "full": "Đã đầy",
        "closed": "Tạm đóng cửa",
        "verified": "Xác minh lần cuối",
    },
}


def _setup(server, language: str) -> str:
    slug = f"live-{language}"
    server.shell(
        "from django.contrib.auth.models import Group\n"
        "from accounts.models import User\n"
        "from stations.models import Amenity, Station, StationAmenity\n"
        f"user = User.objects.create_user('live-{language}', password='{PASSWORD}', "
        "is_staff=True)\n"
        "user.groups.add(Group.objects.get(name='Station managers'))\n"
        f"station = Station.objects.create(name='实况测试站 {language}', slug='{slug}', "
        "latitude=21.55, longitude=108.5, published=True, open_24h=True, truck_parking_spaces=30)\n"
        "station.managers.add(user)\n"
        "hot_water = Amenity.objects.get(code='hot_water')\n"
        "StationAmenity.objects.create(station=station, amenity=hot_water)\n"
    )
    return slug


def _feed(page, server, slug):
    response = page.request.get(f"{server.url}/stations.geojson")
    features = {f["id"]: f["properties"] for f in json.loads(response.text())["features"]}
    return features[slug]


@pytest.mark.parametrize("language", ["zh-hans", "en", "vi"])
def test_manager_keeps_a_station_live_from_a_phone(browser, prod_server, language):
    slug = _setup(prod_server, language)
    prefix, words = PREFIX[language], EXPECTED[language]
    context = phone_context(browser, language=language, service_workers="block")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        console = f"{prefix}/staff/stations/{slug}/"
        page.goto(f"{prod_server.url}{prefix}/admin/login/?next={console}")
        page.fill("#id_username", f"live-{language}")
        page.fill("#id_password", PASSWORD)
        page.locator("main form [type=submit]").first.click()
        # Station managers are offered a second factor: "not now".
        if "/offer/" in page.url:
            page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(rf".*/staff/stations/{slug}/$"))
        assert page.locator("html").get_attribute("lang").lower().startswith(language[:2])
        # Made for a phone: nothing wider than the screen, buttons big enough to tap.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        for button_id in ("#mark-checked", "#save-parking", "#close-station"):
            box = page.locator(button_id).bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, button_id

        public = page.context.new_page()

        def public_text():
            public.goto(f"{prod_server.url}{prefix}/stations/{slug}/")
            return public.locator("main").inner_text()

        # 1. Flip hot water to out of order, with a note.
        amenity = page.locator("form.console-amenity[data-code=hot_water]")
        amenity.locator("input[name$=note]").fill("热水器维修中")
        with page.expect_navigation():
            amenity.locator("button[value=out_of_order]").click()
        assert (
            "热水器维修中" in public_text() and words["out"] in public.locator("main").inner_text()
        )
        assert _feed(page, prod_server, slug)["out_of_order"] == ["hot_water"]

        # 2. Parking: full.
        page.locator("input[name=level][value=full]").check()
        with page.expect_navigation():
            page.locator("#save-parking").click()
        text = public_text()
        assert words["full"] in public.locator("#parking").inner_text(), text
        assert _feed(page, prod_server, slug)["parking"] == "full"

        # 3. Close for now, with a reason in Chinese and, behind "other languages" (folded on
        # the phone, a tap target of its own), its Vietnamese text.
        page.fill("#id_reason", "道路施工")
        assert not page.locator("#id_reason_vi").is_visible()
        summary = page.locator("#closure-languages summary")
        assert summary.bounding_box()["height"] >= 44
        summary.click()
        page.fill("#id_reason_vi", "Đang thi công đường")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        with page.expect_navigation():
            page.locator("#close-station").click()
        text = public_text()
        reason = "Đang thi công đường" if language == "vi" else "道路施工"
        assert reason in text and words["closed"] in text
        assert _feed(page, prod_server, slug)["status"] == "temporarily_closed"

        # 4. Checked today.
        with page.expect_navigation():
            page.locator("#mark-checked").click()
        assert words["verified"] in public_text()
        public.close()
    finally:
        context.close()
    assert problems == []


def test_map_filters_parking_not_full_and_styles_full_markers(prod_server, prod_page):
    """The map keeps only stations whose feed says ``parking_not_full``; a full one's marker
    is drawn greyed (class ``marker-parking-full``)."""
    prod_server.shell(
        "from stations.models import Station\n"
        "from stations.services import station_parking_report\n"
        "Station.objects.filter(slug='map-full').delete()\n"
        "s = Station.objects.create(name='满位测试站', slug='map-full', latitude=21.9, "
        "longitude=108.9, published=True, open_24h=True, truck_parking_spaces=20)\n"
        "station_parking_report(station=s, level='full', source='station')\n"
    )
    page = prod_page
    page.goto(f"{prod_server.url}/en/stations/map/")
    page.wait_for_selector("#map-count[data-count]")
    feed = json.loads(page.request.get(f"{prod_server.url}/stations.geojson").text())
    expected = sum(1 for f in feed["features"] if f["properties"]["parking_not_full"])
    total = len(feed["features"])
    assert 0 < expected < total
    # The map counts what it shows: show every station (the new one is east of the rest).
    lats = [f["geometry"]["coordinates"][1] for f in feed["features"]]
    lngs = [f["geometry"]["coordinates"][0] for f in feed["features"]]
    page.evaluate(
        "b => window.driverHomeMaps['stations-map'].fitBounds(b, {animate: false})",
        [[min(lats) - 0.05, min(lngs) - 0.05], [max(lats) + 0.05, max(lngs) + 0.05]],
    )
    page.wait_for_selector(f"#map-count[data-count='{total}']")
    page.locator("#map-filters summary").click()
    page.locator("#map-parking").check()
    page.wait_for_selector(f"#map-count[data-count='{expected}']")
    page.locator("#map-parking").uncheck()
    page.wait_for_selector(f"#map-count[data-count='{total}']")
    # The full station stands alone east of the others: its own marker carries the style.
    page.locator(".leaflet-marker-icon.marker-parking-full").first.wait_for(
        state="attached", timeout=10000
    )
