"""Stations on a phone: use my location, the map's markers, the station page's links."""

import re
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A driver standing at the port's gate.
HERE = {"latitude": 21.58137, "longitude": 108.36249}


def test_use_my_location_lists_the_nearest_station_first(live_server, phone_page, make_station):
    make_station("码头司机之家", latitude=21.5830, longitude=108.3641, phone="13800000001")
    make_station("渔澫工会驿站", latitude=21.6000, longitude=108.3500)
    make_station("企沙加油站", latitude=21.5500, longitude=108.5000)
    make_station("草稿站", latitude=21.5814, longitude=108.3625, published=False)
    page = phone_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(HERE)
    page.goto(live_server.url + "/stations/nearby/")
    page.get_by_role("button", name="使用我的位置").click()
    page.wait_for_url(re.compile(r".*lat=.*"))
    query = parse_qs(urlparse(page.url).query)
    # Rounded to three decimals before it left the phone.
    assert query["lat"] == ["21.581"]
    assert query["lng"] == ["108.362"]
    cards = page.locator("#nearby-results .station-card")
    assert cards.count() == 3
    first = cards.first
    assert first.locator(".station-name").inner_text() == "码头司机之家"
    assert re.fullmatch(r"[0-9]+ m", first.locator(".distance").inner_text())
    assert 150 <= int(first.locator(".distance").inner_text().split()[0]) <= 350
    assert cards.nth(1).locator(".station-name").inner_text() == "渔澫工会驿站"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_refused_location_offers_places_instead(live_server, phone_page, make_station):
    make_station("东兴口岸司机之家", latitude=21.55, longitude=107.98)
    make_station("码头司机之家", latitude=21.583, longitude=108.364)
    page = phone_page
    page.context.clear_permissions()
    page.goto(live_server.url + "/stations/nearby/")
    page.get_by_role("button", name="使用我的位置").click()
    message = page.locator("#locate-message")
    message.filter(has_text="选择").wait_for()
    assert "无法获取您的位置" in message.inner_text()
    page.select_option("#id_place", "dongxing")
    page.get_by_role("button", name="查看最近的站点").click()
    page.wait_for_url(re.compile(r".*place=dongxing.*"))
    first = page.locator("#nearby-results .station-card").first
    assert first.locator(".station-name").inner_text() == "东兴口岸司机之家"


def test_map_shows_one_marker_or_cluster_count_per_published_station(
    live_server, phone_page, make_station
):
    published = 0
    for index in range(24):
        make_station(
            latitude=21.50 + (index % 6) * 0.05,
            longitude=108.00 + (index // 6) * 0.1,
            amenities=["showers"] if index % 2 else [],
        )
        published += 1
    make_station("草稿站", published=False)
    make_station("撤销站", status="retired")
    page = phone_page
    page.goto(live_server.url + "/stations/map/")
    page.wait_for_selector("#map-count[data-count]")
    assert page.locator("#map-count").get_attribute("data-count") == str(published)

    def shown_on_map():
        # Clusters settle after the zoom; read the markers once they stop changing.
        previous = None
        for _ in range(20):
            clusters = page.locator(".marker-cluster")
            in_clusters = sum(int(text) for text in clusters.all_inner_texts())
            singles = page.locator(".leaflet-marker-icon:not(.marker-cluster)").count()
            if (in_clusters, singles) == previous:
                break
            previous = (in_clusters, singles)
            page.wait_for_timeout(250)
        return sum(previous)

    assert shown_on_map() == published
    # The amenity filter keeps only stations with showers.
    page.locator("#map-filters summary").click()
    page.locator("#map-filters input[value='showers']").check()
    page.wait_for_selector("#map-count[data-count='12']")
    assert shown_on_map() == 12
    # A marker's popup names the station and links to its page.
    singles = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
    if singles.count() == 0:
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(800)
    singles.first.click()
    popup = page.locator(".map-popup")
    popup.wait_for()
    assert popup.locator("a").get_attribute("href").startswith("/stations/station-")
    assert "正在营业" in popup.inner_text()
    assert "洗浴" in popup.inner_text()


def test_station_page_call_and_navigate_links(live_server, phone_page, make_station):
    station = make_station(
        "码头司机之家", latitude=21.583012, longitude=108.364045, phone="0770-2800001"
    )
    page = phone_page
    page.goto(live_server.url + station.get_absolute_url())
    assert page.locator("h1").inner_text() == "码头司机之家"
    call = page.locator("#call-link")
    assert call.get_attribute("href") == "tel:07702800001"
    assert call.bounding_box()["height"] >= 44
    links = {
        link.get_attribute("data-app"): link.get_attribute("href")
        for link in page.locator(".navigate-links a").all()
    }
    amap = parse_qs(urlparse(links["amap"]).query)
    assert amap["position"] == ["108.364045,21.583012"]
    assert amap["coordinate"] == ["wgs84"]
    baidu = parse_qs(urlparse(links["baidu"]).query)
    assert baidu["location"] == ["21.583012,108.364045"]
    assert baidu["coord_type"] == ["wgs84"]
    tencent = parse_qs(urlparse(links["tencent"]).query)
    assert tencent["marker"][0].startswith("coord:21.583012,108.364045;title:码头司机之家")
    assert tencent["coord_type"] == ["1"]
    assert links["geo"].startswith("geo:21.583012,108.364045?q=21.583012,108.364045(")
    # The small map shows the station.
    page.wait_for_selector("#station-leaflet .leaflet-marker-icon")
    # ...and is tall enough to see (leaflet.extras.css sets containers to 100% of nothing).
    assert page.locator("#station-leaflet").bounding_box()["height"] >= 200
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_admin_location_picker_sets_and_follows_coordinates(
    live_server, phone_page, make_station, superuser
):
    from django.conf import settings
    from django.test import Client

    station = make_station("码头司机之家", latitude=21.58, longitude=108.36)
    client = Client()
    client.force_login(superuser)
    page = phone_page
    page.set_viewport_size({"width": 1000, "height": 900})
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/admin/stations/station/{station.pk}/change/")
    marker = page.locator("#location-picker .leaflet-marker-icon")
    marker.wait_for()
    # The map sits right under the longitude row.
    assert (
        page.evaluate("document.querySelector('.field-longitude').nextElementSibling.id")
        == "location-picker"
    )
    # Typing coordinates moves the marker.
    before = marker.bounding_box()
    page.fill("#id_latitude", "21.585")
    page.locator("#id_latitude").dispatch_event("change")
    page.wait_for_timeout(300)
    after = marker.bounding_box()
    assert after["y"] < before["y"]
    # Clicking the map sets the coordinates.
    page.locator("#location-picker").scroll_into_view_if_needed()
    box = page.locator("#location-picker").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.7)
    page.wait_for_timeout(300)
    lat = float(page.input_value("#id_latitude"))
    lng = float(page.input_value("#id_longitude"))
    assert lat < 21.585
    assert lng < 108.36
    assert len(page.input_value("#id_latitude").split(".")[1]) == 6
