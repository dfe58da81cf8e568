"""One local time zone, settings.TIME_ZONE: every page, file and deadline follows it.

The same moments are checked under UTC and under Asia/Shanghai (+08:00), so a piece that
keeps its own zone fails one of the two runs. The clock is frozen at Monday 1 June 2026,
01:30 UTC (09:30 in Asia/Shanghai); the event starts at 02:00 UTC (10:00 in Asia/Shanghai).
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.choices import State
from helpdesk.deadlines import add_working_days, due_for
from helpdesk.models import HelpRequest
from portal.lib.timezone import local_day_bounds, local_tz, local_tz_name
from stations.models import OpeningHours, Station

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 1, 30, tzinfo=UTC)  # a Monday
EVENT_STARTS = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
# Friday 29 May 2026, 20:00 UTC: still Friday in UTC, already Saturday 04:00 in Shanghai.
HELP_SINCE = datetime(2026, 5, 29, 20, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Zone:
    name: str
    open_now: bool  # a station open Monday 09:00-17:00, at NOW
    starts_iso: str  # the event start, as the pages write it
    starts_shown: str  # the event start, as the pages show it (zh-hans)
    ical_start: str
    help_due: datetime  # two working days after HELP_SINCE


ZONES = [
    Zone(
        name="UTC",
        open_now=False,  # 01:30
        starts_iso="2026-06-01T02:00:00+00:00",
        starts_shown="2026年6月1日 02:00",
        ical_start="DTSTART:20260601T020000Z",
        help_due=datetime(2026, 6, 2, 20, 0, tzinfo=UTC),  # Friday → Tuesday 20:00 UTC
    ),
    Zone(
        name="Asia/Shanghai",
        open_now=True,  # 09:30
        starts_iso="2026-06-01T10:00:00+08:00",
        starts_shown="2026年6月1日 10:00",
        ical_start="DTSTART;TZID=Asia/Shanghai:20260601T100000",
        # Saturday 04:00 local → Tuesday 04:00 local, which is Monday 20:00 UTC.
        help_due=datetime(2026, 6, 1, 20, 0, tzinfo=UTC),
    ),
]


@pytest.fixture(params=ZONES, ids=[zone.name for zone in ZONES])
def zone(request, settings, monkeypatch):
    settings.TIME_ZONE = request.param.name
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return request.param


@pytest.fixture
def day_station(make_station):
    station = make_station("白天站", open_24h=False)
    OpeningHours.objects.create(station=station, weekday=0, opens=time(9), closes=time(17))
    return station


@pytest.fixture
def event(make_event):
    return make_event("时区测试活动", starts_at=EVENT_STARTS, hours=2)


def test_helpers_follow_the_setting(zone):
    assert local_tz_name() == zone.name
    assert str(local_tz()) == zone.name
    start, end = local_day_bounds(NOW.date())
    assert start.isoformat() == f"2026-06-01T00:00:00{zone.starts_iso[-6:]}"
    assert (end - start).days == 1


def test_opening_hours_follow_the_setting(zone, client, day_station):
    assert day_station.open_now is zone.open_now
    assert Station.objects.open_now().filter(pk=day_station.pk).exists() is zone.open_now
    collection = json.loads(client.get(reverse("stations-feed")).content)
    (properties,) = [
        f["properties"] for f in collection["features"] if f["properties"]["slug"] == "station-1"
    ]
    assert properties["open_now"] is zone.open_now


def test_event_pages_follow_the_setting(zone, client, event):
    listing = client.get(reverse("events:list")).content.decode()
    assert f'datetime="{zone.starts_iso}"' in listing
    assert zone.starts_shown in listing
    assert '<time datetime="2026-06-01">' in listing
    detail = client.get(event.get_absolute_url()).content.decode()
    assert f'datetime="{zone.starts_iso}"' in detail
    assert zone.starts_shown in detail
    assert f'"startDate": "{zone.starts_iso}"' in detail  # JSON-LD
    assert f"当地时间（{zone.name}）" in detail  # the page names the zone
    home = client.get(reverse("home")).content.decode()
    assert f'datetime="{zone.starts_iso}"' in home


def test_help_deadlines_follow_the_setting(zone):
    assert add_working_days(HELP_SINCE, 2) == zone.help_due
    request = HelpRequest(category="breakdown")
    assert due_for(request, state=State.TRANSFERRED, since=HELP_SINCE) == zone.help_due


def test_ical_follows_the_setting(zone, client, event):
    body = client.get(reverse("events:ics", args=[event.pk])).content.decode()
    assert zone.ical_start in body
    assert f"X-WR-TIMEZONE:{zone.name}" in body
    if zone.name == "UTC":
        assert "BEGIN:VTIMEZONE" not in body
    else:
        assert f"BEGIN:VTIMEZONE\r\nTZID:{zone.name}" in body
    feed = client.get(reverse("events:calendar")).content.decode()
    assert zone.ical_start in feed and f"X-WR-TIMEZONE:{zone.name}" in feed


def test_map_page_hands_the_zone_to_javascript(zone, client):
    html = client.get(reverse("stations:map")).content.decode()
    assert f'<html lang="zh-hans" data-time-zone="{zone.name}">' in html
