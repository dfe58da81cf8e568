"""Along the road on a 360x740 phone, on the production-mode server with the demo data.

Geolocation granted on G228 near Dongxing: the stations ahead appear in road order with
road distances, in all three languages; the direction from two positions; the rest limit
worked out on the phone across midnight; the stretch ahead on the map.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Watched, phone_context

pytestmark = pytest.mark.browser

LANGUAGES = ["zh-hans", "en", "vi"]
PREFIX = {"zh-hans": "", "en": "/en", "vi": "/vi"}
LOCATE = {"zh-hans": "使用我的位置", "en": "Use my location", "vi": "Dùng vị trí của tôi"}
TOWARDS_QINZHOU = {
    "zh-hans": "G228 往钦州方向",
    "en": "G228 towards Qinzhou",
    "vi": "G228 hướng Khâm Châu",
}
# On G228 near Dongxing (Jiangping), and 600 m further east along the coast.
NEAR_DONGXING = {"latitude": 21.5521, "longitude": 108.0301}
FURTHER_EAST = {"latitude": 21.5540, "longitude": 108.0360}


def kilometres(label):
    value, unit = label.replace(",", ".").split()
    return float(value) if unit == "km" else float(value) / 1000


def ahead_results(page):
    page.locator("#ahead-results .station-card").first.wait_for()
    cards = page.locator("#ahead-results .station-card")
    distances = [kilometres(text) for text in cards.locator(".distance").all_inner_texts()]
    return cards.count(), distances


@pytest.mark.parametrize("language", LANGUAGES)
def test_stations_ahead_in_road_order_with_geolocation(prod_server, prod_page, language):
    page = prod_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(NEAR_DONGXING)
    page.goto(f"{prod_server.url}{PREFIX[language]}/stations/ahead/")
    page.select_option("#id_way", "G228:start")
    page.get_by_role("button", name=LOCATE[language]).click()
    page.wait_for_url(re.compile(r".*lat=21\.552&lng=108\.030.*"))
    count, distances = ahead_results(page)
    assert count >= 10
    assert distances == sorted(distances)
    assert distances[-1] > 20
    assert TOWARDS_QINZHOU[language] in page.locator("#road-position").inner_text()
    # The next open station, shower, free parking, rescue point: what the demo data has.
    assert page.locator("#next-lines li").count() >= 3
    # The first card starts on the first screen.
    assert page.locator("#ahead-results .station-card").first.bounding_box()["y"] < 740


def test_direction_from_two_positions(prod_server, prod_page):
    page = prod_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(NEAR_DONGXING)
    page.goto(f"{prod_server.url}/en/stations/ahead/")
    assert page.locator("#id_way").input_value() == ""
    page.get_by_role("button", name="Use my location").click()
    page.get_by_text("Keep driving").wait_for()
    page.context.set_geolocation(FURTHER_EAST)
    page.wait_for_url(re.compile(r".*from_lat=21\.552.*"), timeout=20_000)
    ahead_results(page)
    assert "G228 towards Qinzhou" in page.locator("#road-position").inner_text()


def test_rest_limit_across_midnight_stays_on_the_phone(browser, prod_server):
    context = phone_context(browser, "en", timezone_id="Asia/Shanghai", service_workers="block")
    page = context.new_page()
    watched = Watched(prod_server.url)
    page.on("pageerror", watched.on_page_error)
    page.on("console", watched.on_console)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    # 01:15 on the phone, driving since 22:30 yesterday: 165 minutes driven, 75 left.
    page.clock.set_fixed_time(datetime(2026, 12, 7, 1, 15, tzinfo=ZoneInfo("Asia/Shanghai")))
    page.goto(f"{prod_server.url}/en/stations/ahead/")
    page.evaluate("localStorage.setItem('driverhome.drivingSince', '22:30')")
    page.reload()
    assert page.locator("#driving-since").input_value() == "22:30"
    assert page.locator("#id_rest_min").input_value() == "75"
    assert "02:30" in page.locator("#rest-due").inner_text()
    page.select_option("#id_way", "G228:start")
    page.select_option("#id_place", "dongxing")
    page.get_by_role("button", name="Show stations ahead").click()
    page.wait_for_url(re.compile(r".*rest_min=75.*"))
    assert "in 75 min" in page.locator("#rest-result").inner_text()
    assert page.locator("#ahead-results .reachable").count() >= 1
    # The start time itself never left the phone.
    assert not [url for url in requests if "22%3A30" in url or "22:30" in url]
    context.close()
    assert not watched.problems, watched.problems


def test_map_highlights_the_stretch_ahead(prod_server, prod_page):
    page = prod_page
    page.goto(f"{prod_server.url}/en/stations/map/#ahead=G228:start@20.0")
    control = page.locator("#map-ahead-control[data-shown]")
    control.wait_for(state="attached", timeout=15_000)
    assert page.locator("#map-ahead").input_value() == "G228:start"
    assert int(control.get_attribute("data-shown")) >= 1
    # From km 20 back to the line's start: a 20 km stretch (the map draws on a canvas).
    assert float(control.get_attribute("data-stretch-km")) == pytest.approx(20.0, abs=0.2)
    towards_qinzhou = int(control.get_attribute("data-shown"))
    page.select_option("#map-ahead", "G228:end")
    page.wait_for_function(
        "n => document.getElementById('map-ahead-control').dataset.shown"
        " && document.getElementById('map-ahead-control').dataset.shown !== String(n)",
        arg=towards_qinzhou,
    )
    assert int(control.get_attribute("data-shown")) > towards_qinzhou
    assert float(control.get_attribute("data-stretch-km")) > 60
