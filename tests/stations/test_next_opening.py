"""When a closed station opens next, on a frozen clock in local time (Asia/Shanghai)."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from stations.models import OpeningHours, Station

LOCAL = ZoneInfo("Asia/Shanghai")
# Monday 7 December 2026.
MONDAY = datetime(2026, 12, 7, tzinfo=LOCAL)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY.replace(day=7 + day_offset, hour=hour, minute=minute)


def hours(station, *periods):
    for weekday, opens, closes in periods:
        OpeningHours.objects.create(station=station, weekday=weekday, opens=opens, closes=closes)
    return Station.objects.for_display().get(pk=station.pk)


@pytest.fixture
def daily(make_station):
    """Open 06:00–22:00 every day."""
    return hours(make_station(open_24h=False), *[(day, time(6), time(22)) for day in range(7)])


def test_before_opening_it_opens_the_same_morning(daily):
    moment = at(0, 4, 45)
    assert daily.next_opening_after(moment) == at(0, 6)
    assert daily.next_opening_label(moment) == "06:00开门"


def test_after_closing_it_opens_the_next_morning_said_as_a_time(daily):
    # 23:00 Monday: 06:00 Tuesday is within a day, so the time alone is clear.
    assert daily.next_opening_after(at(0, 23)) == at(1, 6)
    with translation.override("en"):
        assert daily.next_opening_label(at(0, 23)) == "opens 06:00"
    with translation.override("vi"):
        assert daily.next_opening_label(at(0, 23)) == "mở cửa lúc 06:00"


def test_an_open_station_has_no_next_opening(daily):
    assert daily.next_opening_after(at(0, 12)) is None
    assert daily.next_opening_label(at(0, 12)) == ""


def test_closed_days_are_skipped_and_the_weekday_is_named(make_station):
    # Weekdays only, 08:00–18:00: on Saturday it opens on Monday.
    station = hours(make_station(open_24h=False), *[(day, time(8), time(18)) for day in range(5)])
    saturday = at(5, 10)
    assert station.next_opening_after(saturday) == at(7, 8)
    with translation.override("en"):
        assert station.next_opening_label(saturday) == "opens Mon 08:00"
    with translation.override("zh-hans"):
        assert station.next_opening_label(saturday) == "星期一 08:00开门"
    with translation.override("vi"):
        assert station.next_opening_label(saturday) == "mở cửa Thứ 2 08:00"
    # Friday evening after closing: Monday, more than a day ahead.
    assert station.next_opening_after(at(4, 19)) == at(7, 8)


def test_overnight_hours(make_station):
    # Tuesday only, 18:00 until 02:00 on Wednesday.
    station = hours(make_station(open_24h=False), (1, time(18), time(2)))
    # Wednesday 01:00 is inside the night that began on Tuesday.
    assert station.is_open_at(at(2, 1))
    assert station.next_opening_after(at(2, 1)) is None
    # Wednesday 03:00: closed until next Tuesday 18:00.
    assert station.next_opening_after(at(2, 3)) == at(8, 18)
    with translation.override("en"):
        assert station.next_opening_label(at(2, 3)) == "opens Tue 18:00"
    # Tuesday 17:00: the same evening.
    assert station.next_opening_after(at(1, 17)) == at(1, 18)


def test_two_periods_a_day_take_the_next_one(make_station):
    station = hours(make_station(open_24h=False), (0, time(14), time(20)), (0, time(7), time(11)))
    assert station.next_opening_after(at(0, 12)) == at(0, 14)
    assert station.next_opening_after(at(0, 5)) == at(0, 7)


def test_no_next_opening_when_unknown(make_station):
    temporarily = hours(
        make_station(open_24h=False, status=Station.Status.TEMPORARILY_CLOSED),
        (0, time(8), time(18)),
    )
    no_hours = hours(make_station(open_24h=False))
    around_the_clock = hours(make_station(open_24h=True))
    for station in (temporarily, no_hours, around_the_clock):
        assert station.next_opening_after(at(0, 4)) is None


def test_next_opening_follows_the_local_time_zone(daily, settings):
    # The same instant, 22:30 UTC on Sunday, is 06:30 on Monday in Shanghai (open) and
    # 05:30 in Hanoi (opens at 06:00 Hanoi time).
    instant = datetime(2026, 12, 6, 22, 30, tzinfo=ZoneInfo("UTC"))
    assert daily.next_opening_after(instant) is None
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    opening = daily.next_opening_after(instant)
    assert opening == datetime(2026, 12, 7, 6, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@time_machine.travel(at(0, 4, 45), tick=False)
def test_nearby_cards_say_when_closed_stations_open(client, make_station):
    closed = make_station("码头夜班站", latitude=21.581, longitude=108.362, open_24h=False)
    hours(closed, *[(day, time(6), time(22)) for day in range(7)])
    html = client.get(reverse("stations:nearby"), {"lat": "21.58", "lng": "108.36"})
    assert '<span class="opens">06:00开门</span>' in html.content.decode()


@time_machine.travel(at(5, 10), tick=False)
def test_station_page_says_when_it_opens(client, make_station):
    station = hours(make_station(open_24h=False), *[(day, time(8), time(18)) for day in range(5)])
    html = client.get("/en" + station.get_absolute_url()).content.decode()
    assert '<span class="opens">opens Mon 08:00</span>' in html
