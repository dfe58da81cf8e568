"""Calendar (.ics) and RSS/Atom feeds of care events."""

from datetime import UTC, datetime

import feedparser
import icalendar
import pytest
from django.urls import reverse

from events import services
from events.models import Event

pytestmark = pytest.mark.django_db


def _calendar(client, url=None):
    response = client.get(url or reverse("events:calendar"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _vevents(calendar):
    return [c for c in calendar.walk("VEVENT")]


def test_events_ics_parses_and_passes_checks(client, make_event, station):
    make_event("港口培训", station=station, place="")
    make_event("送温暖", kind=Event.Kind.SENDING_WARMTH)
    make_event("草稿", published=False)
    calendar = _calendar(client)
    calendar.validate()  # raises IncompleteComponent when a required part is missing
    assert calendar.errors == []
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = _vevents(calendar)
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(["送温暖", "港口培训"])
    for vevent in events:
        assert vevent.errors == []
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS"):
            assert prop in vevent, prop
        assert vevent["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert vevent.DTSTART.tzinfo is not None
    timezones = list(calendar.walk("VTIMEZONE"))
    assert [str(tz["TZID"]) for tz in timezones] == ["Asia/Shanghai"]


def test_events_ics_times_are_in_shanghai(client, make_event):
    make_event("深夜活动", starts_at=datetime(2030, 7, 15, 15, 30, tzinfo=UTC), hours=1)
    body = client.get(reverse("events:calendar")).content.decode()
    assert "DTSTART;TZID=Asia/Shanghai:20300715T233000" in body
    assert "DTEND;TZID=Asia/Shanghai:20300716T003000" in body


def test_events_ics_uid_is_stable_and_sequence_bumps_on_change(client, make_event, organizer):
    event = make_event("夏送清凉")
    first = _vevents(_calendar(client))[0]
    assert first["SEQUENCE"] == 0
    event.title = "夏送清凉（改地点）"
    services.event_save(event=event, by=organizer)
    second = _vevents(_calendar(client))[0]
    assert str(second["UID"]) == str(first["UID"])
    assert second["SEQUENCE"] == 1
    assert second.DTSTAMP >= first.DTSTAMP
    assert str(second["SUMMARY"]) == "夏送清凉（改地点）"


def test_events_ics_says_cancelled_when_cancelled(client, make_event):
    event = make_event("送温暖")
    uid = str(_vevents(_calendar(client))[0]["UID"])
    services.event_cancel(event=event, note="台风来临，活动取消")
    vevent = _vevents(_calendar(client))[0]
    assert str(vevent["UID"]) == uid
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SEQUENCE"] == 1
    assert "台风来临" in str(vevent["DESCRIPTION"])


def test_single_event_ics_has_one_event(client, make_event):
    event = make_event("微党课", kind=Event.Kind.PARTY_LESSON)
    make_event("另一场")
    calendar = _calendar(client, reverse("events:ics", args=[event.pk]))
    calendar.validate()
    assert calendar.errors == []
    assert [str(e["SUMMARY"]) for e in _vevents(calendar)] == ["微党课"]


def test_single_event_ics_of_draft_is_404(client, make_event):
    event = make_event(published=False)
    assert client.get(reverse("events:ics", args=[event.pk])).status_code == 404


@pytest.mark.parametrize("name", ["events:feed", "events:feed-atom"])
def test_event_feed_validates(client, make_event, name):
    make_event("夏送清凉 & <防暑>")
    make_event("取消的活动", status=Event.Status.CANCELLED, status_note="暴雨")
    make_event("草稿", published=False)
    response = client.get(reverse(name))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version in ("rss20", "atom10")
    titles = sorted(entry.title for entry in feed.entries)
    assert titles == sorted(["夏送清凉 & <防暑>", "已取消：取消的活动"])
    for entry in feed.entries:
        assert entry.link.startswith("http://testserver/events/")
        assert entry.id.startswith("urn:uuid:")


@pytest.mark.parametrize("name", ["events:calendar", "events:feed", "events:feed-atom"])
@pytest.mark.parametrize("count", [1, 6])
def test_feed_query_count_is_constant(
    client, make_event, station, name, count, django_assert_num_queries
):
    for i in range(count):
        make_event(f"活动{i}", days=i - 2, station=station if i % 2 else None)
    with django_assert_num_queries(1):
        assert client.get(reverse(name)).status_code == 200
