"""Public station pages: list filters, detail, map, access and query counts."""

import json
import re
from datetime import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import translation

from stations.models import OpeningHours, Station, StationAmenity


def names(response):
    return re.findall(
        r'class="station-name"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def test_list_shows_published_stations_with_count(client, make_station):
    make_station("甲站")
    make_station("乙站")
    make_station("草稿站", published=False)
    make_station("撤销站", status=Station.Status.RETIRED)
    response = client.get(reverse("stations:list"))
    assert response.status_code == 200
    assert sorted(names(response)) == ["乙站", "甲站"]
    assert re.search(r'id="result-count">[^<0-9]*2 ', response.content.decode())


def test_list_amenity_filter_needs_every_amenity(client, make_station):
    make_station("都有", amenities=["showers", "hot_water"])
    make_station("只有热水", amenities=["hot_water"])
    make_station(
        "淋浴坏了",
        amenities=[("showers", {"live_status": "out_of_order"}), "hot_water"],
    )
    response = client.get(reverse("stations:list"), {"amenity": ["showers", "hot_water"]})
    assert names(response) == ["都有"]


def test_list_filters_route_district_and_text(client, make_station):
    make_station("海边站", route="G228", district="dongxing", location_note="东兴以东4.5公里")
    make_station("山区站", route="G219", district="shangsi")
    assert names(client.get(reverse("stations:list"), {"route": "G219"})) == ["山区站"]
    assert names(client.get(reverse("stations:list"), {"district": "dongxing"})) == ["海边站"]
    assert names(client.get(reverse("stations:list"), {"q": "4.5公里"})) == ["海边站"]


def test_list_open_now_filter(client, make_station):
    make_station("全天", open_24h=True)
    make_station("暂停", status=Station.Status.TEMPORARILY_CLOSED, closure_reason="装修")
    never = make_station("从不开门", open_24h=False)
    assert never.opening_hours.count() == 0
    assert names(client.get(reverse("stations:list"), {"open_now": "on"})) == ["全天"]


@pytest.mark.parametrize(
    "query",
    [{"amenity": "jacuzzi"}, {"q": "a\x00b"}, {"route": "\x00"}, {"district": "moon"}],
)
def test_list_bad_filters_answer_400_with_an_empty_result(client, make_station, query):
    make_station("甲站")
    response = client.get(reverse("stations:list"), query)
    assert response.status_code == 400
    assert names(response) == []
    assert "errorlist" in response.content.decode()


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "abc", "\x00", "0"])
def test_list_odd_page_numbers_never_fail(client, make_station, page):
    for _ in range(3):
        make_station()
    response = client.get(reverse("stations:list"), {"page": page})
    assert response.status_code == 200
    assert len(names(response)) == 3


def test_list_paginates_by_the_last_station_shown(client, make_station):
    for index in range(45):
        make_station(f"站{index:02d}")
    url = reverse("stations:list")
    first = client.get(url)
    html = first.content.decode()
    assert len(names(first)) == 20
    assert re.search(r'id="result-count">[^<0-9]*45 ', html)
    after = re.search(r'rel="next" href="\?after=(\d+)"', html).group(1)
    assert after == str(names_and_pks(first)[-1])
    second = client.get(url, {"after": after})
    third = client.get(url, {"after": names_and_pks(second)[-1]})
    assert len(names(second)) == 20 and len(names(third)) == 5
    # Every station once, in the driver order, and no count on later pages.
    seen = names(first) + names(second) + names(third)
    assert seen == [s.name for s in Station.objects.published().in_driver_order()]
    assert 'id="result-count"' not in second.content.decode()
    assert 'rel="next"' not in third.content.decode()
    assert 'href="?"' in third.content.decode()  # back to the first page


def names_and_pks(response) -> list[int]:
    return [station.pk for station in response.context["stations"]]


def test_list_keeps_the_filters_from_page_to_page(client, make_station):
    for index in range(25):
        make_station(f"淋浴站{index:02d}", amenities=["showers"])
        make_station(f"无淋浴站{index:02d}")
    first = client.get(reverse("stations:list"), {"amenity": "showers"}).content.decode()
    after = re.search(r'rel="next" href="\?amenity=showers&amp;after=(\d+)"', first).group(1)
    second = client.get(reverse("stations:list"), {"amenity": "showers", "after": after})
    assert len(names(second)) == 5
    assert all(name.startswith("淋浴站") for name in names(second))


@pytest.mark.parametrize("after", ["99999999999999999999", "-1", "abc", "\x00", "0", "١٢"])
def test_list_odd_after_values_give_the_first_page(client, make_station, after):
    for _ in range(3):
        make_station()
    response = client.get(reverse("stations:list"), {"after": after})
    assert response.status_code == 200
    assert len(names(response)) == 3


def test_a_deep_page_costs_what_the_first_page_costs(
    client, make_station, django_assert_num_queries
):
    stations = [make_station(f"站{index:02d}") for index in range(30)]
    last = Station.objects.published().in_driver_order()[28]
    # The station it starts after, amenity choices, the page: no count, no offset.
    with django_assert_num_queries(5):
        response = client.get(reverse("stations:list"), {"after": last.pk})
    assert len(names(response)) == 1 and len(stations) == 30


def test_list_query_count_is_constant(client, make_station, django_assert_num_queries):
    for index in range(8):
        station = make_station(amenities=["showers", "hot_water"], open_24h=False)
        OpeningHours.objects.create(
            station=station, weekday=index % 7, opens=time(8), closes=time(20)
        )
    # Amenity choices, page (a row more than shown: no count needed), amenity rows, hours.
    with django_assert_num_queries(4):
        response = client.get(reverse("stations:list"))
    assert len(names(response)) == 8


def test_unpublished_and_retired_stations_are_404(client, make_station):
    draft = make_station(published=False)
    retired = make_station(status=Station.Status.RETIRED)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(retired.get_absolute_url()).status_code == 404
    assert client.get("/stations/no-such-station/").status_code == 404


def test_detail_shows_everything_a_driver_needs(client, make_station):
    station = make_station(
        "港口司机之家",
        phone="0770-2800001",
        amenities=[
            ("showers", {"is_free": False, "price_note": "每次5元"}),
            ("hot_water", {"live_status": "out_of_order", "status_note": "周五前修好"}),
        ],
        last_verified="2026-10-01",
        truck_parking_spaces=40,
    )
    station.refresh_from_db()
    html = client.get(station.get_absolute_url()).content.decode()
    assert 'href="tel:0770-2800001"' in html or 'href="tel:07702800001"' in html
    assert "每次5元" in html
    assert "周五前修好" in html
    assert "2026-10-01" in html
    assert "leaflet" in html
    # The small map's options are a JSON block for a static script: no inline script, no
    # nonce, so the page can be shared from the page cache.
    assert 'id="station-leaflet-options" type="application/json"' in html
    assert 'nonce="' not in html


def test_detail_navigation_links_name_their_coordinate_system(client, make_station):
    station = make_station("导航站", latitude=21.581234, longitude=108.361234)
    html = client.get(station.get_absolute_url()).content.decode()
    links = dict(re.findall(r'data-app="(\w+)" href="([^"]+)"', html))
    amap = parse_qs(urlparse(links["amap"].replace("&amp;", "&")).query)
    assert amap["coordinate"] == ["wgs84"]
    assert amap["position"] == ["108.361234,21.581234"]
    baidu = parse_qs(urlparse(links["baidu"].replace("&amp;", "&")).query)
    assert baidu["coord_type"] == ["wgs84"]
    assert baidu["location"] == ["21.581234,108.361234"]
    tencent = parse_qs(urlparse(links["tencent"].replace("&amp;", "&")).query)
    assert tencent["coord_type"] == ["1"]
    assert tencent["marker"][0].startswith("coord:21.581234,108.361234;")
    assert links["geo"].startswith("geo:21.581234,108.361234?q=")


def test_detail_json_ld_describes_the_place(client, make_station):
    station = make_station("</script><b>站", latitude=21.6, longitude=108.35, phone="07702800001")
    html = client.get(station.get_absolute_url()).content.decode()
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "Place"
    assert data["name"] == "</script><b>站"
    assert data["geo"] == {"@type": "GeoCoordinates", "latitude": 21.6, "longitude": 108.35}
    assert data["telephone"] == "07702800001"
    assert "<b>" not in raw


def test_detail_query_count_is_constant(client, make_station, django_assert_num_queries):
    station = make_station(amenities=["showers", "hot_water", "wifi", "dining"])
    # Station, amenity rows, opening hours, photos, upcoming events.
    with django_assert_num_queries(5):
        assert client.get(station.get_absolute_url()).status_code == 200


def test_detail_shows_closure_reason(client, make_station):
    station = make_station(status=Station.Status.TEMPORARILY_CLOSED, closure_reason="台风检修")
    html = client.get(station.get_absolute_url()).content.decode()
    assert "台风检修" in html
    assert "badge-danger" in html


@pytest.mark.parametrize("language", ["zh-hans", "en", "vi"])
def test_pages_speak_each_language(client, make_station, language):
    station = make_station(phone="07702800001")
    with translation.override(language):
        urls = [
            reverse("stations:list"),
            reverse("stations:nearby"),
            reverse("stations:map"),
            station.get_absolute_url(),
        ]
    expected = {"zh-hans": "拨打", "en": "Call", "vi": "Gọi"}[language]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert f'lang="{language}"' in response.content.decode()
    assert expected in client.get(urls[0]).content.decode()


def test_map_page_loads_leaflet_and_its_scripts_but_text_pages_do_not(client, make_station):
    make_station()
    map_html = client.get(reverse("stations:map")).content.decode()
    assert "leaflet/leaflet.js" in map_html
    assert "js/map-feed.js" in map_html and "js/station-map.js" in map_html
    # The page builds its map itself: no inline script, no django-leaflet builder.
    assert not re.search(r"<script nonce=", map_html)
    assert "leaflet.extras.js" not in map_html
    # The first view's request is announced, and the full export linked.
    preload = r'<link rel="preload" href="/stations.geojson\?bbox=[-0-9.,]+&amp;zoom=\d+"'
    assert re.search(preload, map_html)
    assert "/stations-all.geojson" in map_html
    for url in (reverse("stations:list"), reverse("stations:nearby"), reverse("home")):
        html = client.get(url).content.decode()
        assert "leaflet" not in html


def test_map_page_draws_the_routes(client, db):
    from stations.models import RouteLine

    RouteLine.objects.create(
        code="G228", geometry={"type": "LineString", "coordinates": [[108.3, 21.6], [108.4, 21.62]]}
    )
    html = client.get(reverse("stations:map")).content.decode()
    data = json.loads(
        re.search(r'id="map-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert data["routes"][0]["latlngs"] == [[21.6, 108.3], [21.62, 108.4]]


def test_map_routes_are_shifted_on_gcj02_tiles(client, db, settings):
    from stations import geo
    from stations.models import RouteLine

    settings.MAP_TILES_CRS = "gcj02"
    RouteLine.objects.create(
        code="G228",
        geometry={"type": "LineString", "coordinates": [[108.3, 21.6], [107.966, 21.5246]]},
    )
    html = client.get(reverse("stations:map")).content.decode()
    data = json.loads(
        re.search(r'id="map-data" type="application/json">(.*?)</script>', html).group(1)
    )
    first, mong_cai = data["routes"][0]["latlngs"]
    assert first == pytest.approx(list(geo.wgs84_to_gcj02(21.6, 108.3)))
    assert mong_cai == [21.5246, 107.966]


def test_home_offers_nearby_and_amenity_shortcuts(client, db):
    html = client.get(reverse("home")).content.decode()
    assert reverse("stations:nearby") + "?amenity=showers" in html
    assert 'id="home-nearby"' in html


def test_live_status_flip_reaches_drivers(client, make_station):
    station = make_station(amenities=["hot_water"])
    row = StationAmenity.objects.get(station=station)
    row.live_status = StationAmenity.LiveStatus.OUT_OF_ORDER
    row.status_note = "热水器坏了"
    row.save()
    assert "热水器坏了" in client.get(station.get_absolute_url()).content.decode()
