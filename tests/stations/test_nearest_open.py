"""When the nearest stations are closed, one line names the nearest open one (frozen clock)."""

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from stations.models import OpeningHours

pytestmark = pytest.mark.django_db

# Monday 7 December 2026, 04:45 in Fangchenggang.
EARLY = datetime(2026, 12, 7, 4, 45, tzinfo=ZoneInfo("Asia/Shanghai"))
HERE = {"lat": "21.58", "lng": "108.36"}


def day_station(make_station, name, latitude, longitude=108.36):
    station = make_station(name, latitude=latitude, longitude=longitude, open_24h=False)
    for day in range(7):
        OpeningHours.objects.create(station=station, weekday=day, opens=time(6), closes=time(22))
    return station


def nearby(client, **extra):
    html = client.get(reverse("stations:nearby"), {**HERE, **extra}).content.decode()
    match = re.search(r'<p class="nearest-open" id="nearest-open">(.*?)</p>', html, re.S)
    return html, match.group(1) if match else None


@time_machine.travel(EARLY, tick=False)
def test_nearest_open_found_beyond_the_list(client, make_station, django_assert_num_queries):
    # Twenty-one closed stations within 2 km (more than the list shows), one open at 11 km.
    for index in range(21):
        day_station(make_station, f"日间站{index:02d}", 21.58 + index * 0.0008)
    far = make_station("远处的24小时站", latitude=21.68, longitude=108.36)
    # Amenity choices, the nearest twenty, amenity rows, opening hours, the nearest open one.
    with django_assert_num_queries(5):
        html, line = nearby(client)
    assert line is not None
    assert "最近的营业站点：" in line
    assert f'href="{far.get_absolute_url()}"' in line
    assert "远处的24小时站" in line and "11 km" in line
    # It comes before the list.
    assert html.index('id="nearest-open"') < html.index('id="nearby-results"')


@time_machine.travel(EARLY, tick=False)
def test_query_count_does_not_grow_with_stations(client, make_station, django_assert_num_queries):
    for index in range(30):
        day_station(make_station, f"日间站{index:02d}", 21.58 + index * 0.0005)
    make_station("远处的24小时站", latitude=21.68, longitude=108.36)
    with django_assert_num_queries(5):
        nearby(client)


@time_machine.travel(EARLY, tick=False)
def test_nearest_open_taken_from_the_list_costs_no_query(
    client, make_station, django_assert_num_queries
):
    for index in range(10):
        day_station(make_station, f"日间站{index}", 21.581 + index * 0.0001)
    make_station("港口24小时站", latitude=21.59, longitude=108.36)
    # Amenity choices, the nearest twenty, amenity rows, opening hours: nothing more.
    with django_assert_num_queries(4):
        _html, line = nearby(client)
    assert "港口24小时站" in line and "1.1 km" in line


@time_machine.travel(EARLY, tick=False)
def test_no_line_when_the_nearest_is_open(client, make_station):
    make_station("港口24小时站", latitude=21.581, longitude=108.36)
    day_station(make_station, "日间站", 21.59)
    assert nearby(client)[1] is None


@time_machine.travel(EARLY, tick=False)
def test_no_line_when_nothing_is_open(client, make_station):
    day_station(make_station, "日间站", 21.581)
    html, line = nearby(client)
    assert line is None
    assert "06:00开门" in html


@time_machine.travel(EARLY, tick=False)
def test_nearest_open_respects_the_filters(client, make_station):
    day_station(make_station, "日间站", 21.581)
    make_station("近处的24小时站", latitude=21.585, longitude=108.36)
    make_station("有淋浴的24小时站", latitude=21.70, longitude=108.36, amenities=["showers"])
    shower = make_station(
        "有淋浴的日间站", latitude=21.5805, longitude=108.36, open_24h=False, amenities=["showers"]
    )
    OpeningHours.objects.create(station=shower, weekday=0, opens=time(6), closes=time(22))
    _html, line = nearby(client, amenity="showers")
    assert "有淋浴的24小时站" in line


@time_machine.travel(EARLY, tick=False)
@pytest.mark.usefixtures("page_cache_on")
def test_nearest_open_from_cached_cards_reads_as_when_rendered(client, make_station):
    day_station(make_station, "日间站", 21.581)
    make_station("港口24小时站", latitude=21.59, longitude=108.36)
    first = nearby(client)[1]
    second = nearby(client)[1]  # every card from the cache this time
    assert first is not None and "港口24小时站" in first and "1.1 km" in first
    assert second == first
