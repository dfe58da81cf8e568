"""/stations/ahead/: the stations ahead in road order, next-lines, the rest limit, errors."""

import logging
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import timezone, translation

from stations import demo
from stations.models import OpeningHours, Station
from stations.road.geometry import Line

from .road_fixtures import along_the_lines, make_line

pytestmark = pytest.mark.django_db

# On G228 near Dongxing (Jiangping), about 70 km from the line's Qinzhou end.
NEAR_DONGXING = {"lat": "21.552", "lng": "108.030"}
URL = "/stations/ahead/"


def results(html):
    block = re.search(r'<ol class="station-list" id="ahead-results">(.*?)</ol>', html, re.S)
    assert block, html[:3000]
    names = re.findall(r'<h2 class="station-name"><a href="[^"]+">([^<]+)</a>', block.group(1))
    distances = re.findall(r'<strong class="distance">([^<]+)</strong>', block.group(1))
    return names, distances


def km(label):
    value, unit = label.split()
    return float(value) if unit == "km" else float(value) / 1000


@pytest.fixture
def road(make_station):
    along_the_lines(make_station, per_line=24)


def test_ahead_lists_stations_in_road_order_with_road_distances(client, road):
    response = client.get(URL, {**NEAR_DONGXING, "way": "G228:start"})
    assert response.status_code == 200
    html = response.content.decode()
    names, distances = results(html)
    assert names and len(names) == len(distances)
    assert all(name.startswith("G228") for name in names)
    values = [km(d) for d in distances]
    assert values == sorted(values)
    # The same order and distances as the stations' own projections.
    line = Line(demo.G228)
    here = line.project(21.552, 108.030).along_m
    expected = sorted(
        (
            (here - p.along_m, s.name)
            for s in Station.objects.filter(name__startswith="G228")
            for p in [line.project(s.latitude, s.longitude)]
            if p.along_m <= here + 100
        ),
    )[:20]
    assert names == [name for _d, name in expected]
    assert "G228往钦州方向，您在第70.5公里处。" in re.sub(r"\s+", "", html)
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-store"


def test_towards_dongxing_lists_the_other_way(client, road):
    html = client.get(URL, {**NEAR_DONGXING, "way": "G228:end"}).content.decode()
    names, distances = results(html)
    towards_qinzhou, _d = results(
        client.get(URL, {**NEAR_DONGXING, "way": "G228:start"}).content.decode()
    )
    assert not set(names) & set(towards_qinzhou[1:])
    assert len(names) < len(towards_qinzhou)


def test_no_javascript_place_and_direction_work(client, road):
    html = client.get(URL, {"place": "dongxing", "way": "G228:start"}).content.decode()
    names, _d = results(html)
    assert len(names) == 20


def test_direction_inferred_from_two_positions(client, road):
    # 0.01° of longitude east along the coast: towards Qinzhou (the line's start).
    moving = {**NEAR_DONGXING, "from_lat": "21.552", "from_lng": "108.020"}
    inferred = client.get(URL, moving).content.decode()
    chosen = client.get(URL, {**NEAR_DONGXING, "way": "G228:start"}).content.decode()
    assert results(inferred) == results(chosen)
    assert "G228 往钦州方向" in inferred


def test_two_positions_too_close_ask_for_the_direction(client, road):
    response = client.get(URL, {**NEAR_DONGXING, "from_lat": "21.552", "from_lng": "108.031"})
    assert response.status_code == 400
    assert "不足以判断方向" in response.content.decode()


def test_no_direction_and_no_movement_is_a_form_error(client, road):
    response = client.get(URL, NEAR_DONGXING)
    assert response.status_code == 400
    assert 'id="ahead-results"' not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"lat": "x", "lng": "108", "way": "G228:end"},
        {"lat": "21.5", "way": "G228:end"},
        {"lat": "nan", "lng": "108", "way": "G228:end"},
        {**NEAR_DONGXING, "way": "G999:end"},
        {**NEAR_DONGXING, "way": "G228:end", "rest_min": "9999"},
        {**NEAR_DONGXING, "way": "G228:end", "rest_min": "abc"},
        {**NEAR_DONGXING, "from_lat": "21.5"},
        {**NEAR_DONGXING, "way": "G228:end", "amenity": "nope"},
        {"lat": "21.5\x00", "lng": "108", "way": "G228:end"},
        {"way": "G228:end"},
    ],
)
def test_bad_input_is_a_400_with_an_error(client, road, query):
    response = client.get(URL, query)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


def test_off_every_route_offers_the_nearby_page(client, road):
    response = client.get(URL, {"place": "qisha"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="off-route"' in html
    assert 'href="/stations/nearby/?lat=21.55&amp;lng=108.5"' in html
    assert 'id="ahead-results"' not in html


def test_filters_of_the_list_apply(client, road):
    station = Station.objects.filter(name__startswith="G228").order_by("longitude").last()
    from stations.models import Amenity, StationAmenity

    StationAmenity.objects.create(station=station, amenity=Amenity.objects.get(code="showers"))
    html = client.get(
        URL, {**NEAR_DONGXING, "way": "G228:start", "amenity": "showers"}
    ).content.decode()
    names, _d = results(html)
    assert names == [station.name]
    assert 'name="route"' not in html


def test_query_count_is_constant(client, make_station, django_assert_num_queries):
    along_the_lines(make_station, per_line=4)
    # Amenity choices, lines, the stations ahead, amenity rows, hours, four next-lines.
    with django_assert_num_queries(9):
        client.get(URL, {**NEAR_DONGXING, "way": "G228:start"})
    for index in range(30):
        lng, lat = demo._along(demo.G228, index / 40)
        make_station(latitude=lat, longitude=lng, amenities=["showers", "free_parking"])
    from stations.road.services import route_positions_rebuild_all

    route_positions_rebuild_all()
    with django_assert_num_queries(9):
        client.get(URL, {**NEAR_DONGXING, "way": "G228:start"})


def day_station(make_station, name, fraction, **fields):
    lng, lat = demo._along(demo.G228, fraction)
    station = make_station(name, latitude=lat, longitude=lng, open_24h=False, **fields)
    for day in range(7):
        OpeningHours.objects.create(station=station, weekday=day, opens=time(6), closes=time(22))
    return station


# Saturday 5 December 2026, 23:30 in Fangchenggang.
LATE = datetime(2026, 12, 5, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@time_machine.travel(LATE, tick=False)
def test_next_lines_name_the_next_open_shower_parking_and_rescue(client, make_station):
    make_line("G228", demo.G228)
    # Heading for Dongxing (the end): fractions grow ahead.
    closed = day_station(make_station, "白天营业站", 0.30, amenities=["showers"])
    # Reported full just now: not the next free parking, though it is nearer.
    full = day_station(
        make_station,
        "满位站",
        0.35,
        truck_parking_spaces=30,
        parking_level="full",
        parking_reported_at=timezone.now(),
    )
    open_one = make_station(
        "通宵站",
        latitude=demo._along(demo.G228, 0.4)[1],
        longitude=demo._along(demo.G228, 0.4)[0],
        truck_parking_spaces=20,
    )
    rescue = make_station(
        "救援站",
        latitude=demo._along(demo.G228, 0.5)[1],
        longitude=demo._along(demo.G228, 0.5)[0],
        amenities=["emergency_rescue"],
    )
    from stations.road.services import route_positions_rebuild_all

    route_positions_rebuild_all()
    lng, lat = demo._along(demo.G228, 0.2)
    html = client.get("/en" + URL, {"lat": lat, "lng": lng, "way": "G228:end"}).content.decode()
    lines = dict(re.findall(r'<li data-next="([a-z_]+)">(.*?)</li>', html, re.S))
    assert set(lines) == {"open", "showers", "free_parking", "emergency_rescue"}
    assert open_one.name in lines["open"] and "Next open station" in lines["open"]
    assert closed.name in lines["showers"]
    assert open_one.name in lines["free_parking"]
    assert full.name not in lines["free_parking"]
    assert rescue.name in lines["emergency_rescue"]


@time_machine.travel(LATE, tick=False)
def test_rest_limit_across_midnight_marks_the_stations_reachable(client, make_station, settings):
    settings.ROAD_AVERAGE_SPEED_KMH = 60  # one km a minute
    make_line("G228", demo.G228)
    line = Line(demo.G228)
    stations = {}
    for km_ahead in (10, 40, 49, 55, 80):
        lat, lng = line.point_at(km_ahead * 1000)
        stations[km_ahead] = make_station(f"第{km_ahead}公里站", latitude=lat, longitude=lng)
    from stations.road.services import route_positions_rebuild_all

    route_positions_rebuild_all()
    lat, lng = line.point_at(0)
    # 23:30, fifty minutes left: due at 00:20, after midnight.
    html = client.get(
        "/en" + URL, {"lat": lat, "lng": lng, "way": "G228:end", "rest_min": "50"}
    ).content.decode()
    rest = re.search(r'id="rest-result">(.*?)</div>', html, re.S).group(1)
    assert "Rest due at 00:20 (in 50 min)" in re.sub(r"\s+", " ", rest)
    assert stations[49].name in rest and 'id="rest-last"' in rest
    cards = re.findall(r'<li class="card station-card">(.*?)</li>\n', html, re.S)
    marked = [
        name
        for name, card in zip([s.name for s in stations.values()], cards, strict=True)
        if "before your rest is due" in card
    ]
    assert marked == [stations[10].name, stations[40].name, stations[49].name]


@time_machine.travel(LATE, tick=False)
def test_past_the_limit_says_stop_and_shows_the_nearest(client, make_station):
    make_line("G228", demo.G228)
    line = Line(demo.G228)
    lat, lng = line.point_at(8_000)
    near = make_station("八公里站", latitude=lat, longitude=lng)
    from stations.road.services import route_positions_rebuild_all

    route_positions_rebuild_all()
    lat, lng = line.point_at(0)
    html = client.get(
        "/en" + URL, {"lat": lat, "lng": lng, "way": "G228:end", "rest_min": "-15"}
    ).content.decode()
    rest = re.search(r'id="rest-result">(.*?)</div>', html, re.S).group(1)
    assert "stop at the nearest safe place" in rest
    assert near.name in rest
    assert "before your rest is due" not in html


def test_driving_start_time_is_neither_stored_nor_logged(client, road, caplog):
    # The page's time field has no name: the browser never submits the start time.
    html = client.get(URL).content.decode()
    field = re.search(r'<input type="time" id="driving-since"[^>]*>', html).group(0)
    assert "name=" not in field
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    caplog.set_level(logging.DEBUG)
    response = client.get(URL, {**NEAR_DONGXING, "way": "G228:start", "rest_min": "137"})
    assert response.status_code == 200
    assert not response.cookies
    assert {m._meta.label: m._default_manager.count() for m in apps.get_models()} == counts
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "137" not in logged and "rest_min" not in logged


@pytest.mark.parametrize("language", ["zh-hans", "en", "vi"])
def test_page_speaks_three_languages(client, road, language):
    prefix = "" if language == "zh-hans" else f"/{language}"
    html = client.get(prefix + URL, {**NEAR_DONGXING, "way": "G228:start"}).content.decode()
    with translation.override(language):
        from django.utils.translation import gettext

        assert gettext("Stations ahead on the road") in html
    expected = {"zh-hans": "钦州", "en": "Qinzhou", "vi": "Khâm Châu"}[language]
    assert expected in re.search(r'id="road-position">(.*?)</p>', html, re.S).group(1)


def test_station_page_shows_its_place_on_the_route(client, road):
    station = Station.objects.filter(name__startswith="G219").first()
    position = station.route_positions.get()
    html = client.get(f"/en{station.get_absolute_url()}").content.decode()
    assert f"G219, km {position.along_m / 1000:.1f}" in html


def test_links_from_home_nearby_and_map(client, road):
    ahead = reverse("stations:ahead")
    for page in ("/", reverse("stations:nearby"), reverse("stations:map")):
        assert f'href="{ahead}' in client.get(page).content.decode(), page


def test_a_road_an_admin_adds_is_offered_with_its_stations(client, superuser, make_station):
    import json

    from django.test import Client

    from stations.models import RouteLine

    # S325: a straight road north of the city, drawn by an administrator.
    coordinates = [[108.30, 21.70], [108.30, 21.80], [108.30, 21.90]]
    near = make_station("省道站", name_en="Provincial Road Stop", latitude=21.85, longitude=108.301)
    staff = Client()
    staff.force_login(superuser)
    form = {
        "code": "S325",
        "colour": "#0b5cad",
        "geometry": json.dumps({"type": "LineString", "coordinates": coordinates}),
        "start_name_zh_hans": "南端",
        "end_name_zh_hans": "北端",
        "end_name_en": "the north end",
    }
    response = staff.post("/admin/stations/routeline/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get("/en" + URL, {"lat": 21.75, "lng": 108.30, "way": "S325:end"}).content
    html = html.decode()
    assert "S325 towards the north end" in html
    names, distances = results(html)
    assert names == [near.name_en]
    assert km(distances[0]) == pytest.approx(11.1, abs=0.3)
    # Something that is not a road number: a translated form error, nothing stored.
    response = staff.post("/admin/stations/routeline/add/", {**form, "code": "s 325"})
    assert response.status_code == 200
    assert "请填写路牌上的道路编号" in response.content.decode()
    assert RouteLine.objects.count() == 1
