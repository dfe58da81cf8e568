"""Opening hours and "open now" in Asia/Shanghai time, in Python and in SQL."""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from stations.models import OpeningHours, Station

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday.
MONDAY = datetime(2026, 11, 30, tzinfo=SHANGHAI)


def at(day_offset, hour, minute=0):
    return MONDAY + timedelta(days=day_offset, hours=hour, minutes=minute)


@pytest.fixture
def day_station(make_station):
    station = make_station("白天站", open_24h=False)
    for day in range(5):
        OpeningHours.objects.create(station=station, weekday=day, opens=time(8), closes=time(18))
    return station


@pytest.fixture
def night_station(make_station):
    station = make_station("夜间站", open_24h=False)
    OpeningHours.objects.create(station=station, weekday=0, opens=time(18), closes=time(2))
    return station


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(0, 8), True),
        (at(0, 17, 59), True),
        (at(0, 18), False),
        (at(0, 7, 59), False),
        (at(5, 12), False),
        (at(4, 12), True),
    ],
)
def test_day_hours(day_station, moment, expected):
    assert day_station.is_open_at(moment) is expected
    assert Station.objects.open_at(moment).filter(pk=day_station.pk).exists() is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(0, 18), True),
        (at(0, 23, 30), True),
        (at(1, 1, 59), True),
        (at(1, 2), False),
        (at(0, 1), False),
        (at(1, 19), False),
    ],
)
def test_overnight_hours_run_past_midnight(night_station, moment, expected):
    assert night_station.is_open_at(moment) is expected
    assert Station.objects.open_at(moment).filter(pk=night_station.pk).exists() is expected


def test_open_now_uses_shanghai_time(day_station):
    # 01:00 UTC on Monday is 09:00 in Shanghai.
    utc_moment = datetime(2026, 11, 30, 1, 0, tzinfo=ZoneInfo("UTC"))
    assert day_station.is_open_at(utc_moment)


def test_temporarily_closed_is_never_open(make_station):
    station = make_station(status=Station.Status.TEMPORARILY_CLOSED)
    assert not station.is_open_at(at(0, 12))
    assert not Station.objects.open_at(at(0, 12)).exists()


def test_sql_and_python_agree_on_random_schedules(make_station):
    rng = random.Random(8)
    stations = []
    for _ in range(15):
        station = make_station(open_24h=rng.random() < 0.2)
        for day in rng.sample(range(7), k=rng.randint(0, 7)):
            opens = time(rng.randint(0, 23), rng.choice([0, 30]))
            closes = time(rng.randint(0, 23), rng.choice([0, 30]))
            if opens != closes:
                OpeningHours.objects.create(
                    station=station, weekday=day, opens=opens, closes=closes
                )
        stations.append(station)
    for _ in range(40):
        moment = at(rng.randint(0, 6), rng.randint(0, 23), rng.choice([0, 15, 30, 45]))
        in_sql = set(Station.objects.open_at(moment).values_list("pk", flat=True))
        in_python = {s.pk for s in Station.objects.all() if s.is_open_at(moment)}
        assert in_sql == in_python
