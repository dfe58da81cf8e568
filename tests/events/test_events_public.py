"""Public event pages: list, notice, home page, station partial; query counts."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from events.models import Event
from events.views.public import event_json_ld

pytestmark = pytest.mark.django_db


def test_event_list_shows_upcoming_before_recent_past(client, make_event):
    make_event("下周的安全培训", days=7, kind=Event.Kind.SAFETY_TRAINING)
    make_event("明天的微党课", days=1, kind=Event.Kind.PARTY_LESSON)
    make_event("上个月的座谈会", days=-30, kind=Event.Kind.FORUM, people_reached=42)
    html = client.get(reverse("events:list")).content.decode()
    assert html.index("明天的微党课") < html.index("下周的安全培训") < html.index("上个月的座谈会")
    assert "惠及 42 人" in html


def test_event_list_hides_drafts_and_old_events(client, make_event):
    make_event("草稿活动", published=False)
    make_event("一年前的活动", days=-365)
    html = client.get(reverse("events:list")).content.decode()
    assert "草稿活动" not in html
    assert "一年前的活动" not in html


def test_event_list_marks_cancelled_and_postponed(client, make_event):
    make_event("取消的活动", status=Event.Status.CANCELLED, status_note="台风预警，活动取消")
    make_event("延期的活动", status=Event.Status.POSTPONED, status_note="改期另行通知")
    html = client.get(reverse("events:list")).content.decode()
    assert "取消的活动" in html and "台风预警，活动取消" in html
    assert "延期的活动" in html and "改期另行通知" in html
    assert 'class="badge badge-danger event-status">已取消' in html
    assert 'class="badge badge-warn event-status">已延期' in html


def test_event_list_filters_by_kind(client, make_event):
    make_event("送温暖", kind=Event.Kind.SENDING_WARMTH)
    make_event("政策宣讲", kind=Event.Kind.POLICY_BRIEFING)
    html = client.get(reverse("events:list"), {"kind": "policy_briefing"}).content.decode()
    assert "政策宣讲" in html and "送温暖</a>" not in html


@pytest.mark.parametrize("kind", ["nonsense", "summer\x00cooling", "<script>"])
def test_event_list_survives_bad_kind(client, make_event, kind):
    make_event("夏送清凉")
    response = client.get(reverse("events:list"), {"kind": kind})
    assert response.status_code == 200
    assert "夏送清凉" in response.content.decode()


def test_event_at_2330_local_is_listed_on_its_own_day(client, make_event):
    # 23:30 in Fangchenggang is 15:30 UTC: the same UTC date, but past 16:00 UTC it is
    # already the next day there. The notice belongs to 15 July, not 16 July.
    starts = datetime(2030, 7, 15, 15, 30, tzinfo=UTC)
    event = make_event("深夜送清凉", starts_at=starts, hours=1)
    html = client.get(reverse("events:list")).content.decode()
    assert '<time datetime="2030-07-15">' in html
    assert '<time datetime="2030-07-16">' not in html
    assert 'datetime="2030-07-15T23:30:00+08:00"' in html
    assert list(Event.objects.on_local_day(starts.date())) == [event]
    assert not Event.objects.on_local_day(datetime(2030, 7, 16).date()).exists()


def test_event_after_1600_utc_is_on_the_next_local_day(make_event):
    starts = datetime(2030, 7, 15, 16, 30, tzinfo=UTC)  # 00:30 on 16 July in Fangchenggang
    event = make_event("凌晨出发", starts_at=starts)
    assert list(Event.objects.on_local_day(datetime(2030, 7, 16).date())) == [event]
    assert not Event.objects.on_local_day(datetime(2030, 7, 15).date()).exists()


def test_upcoming_keeps_an_event_until_it_ends(make_event):
    now = timezone.now()
    running = make_event("进行中", starts_at=now - timedelta(hours=1), hours=2)
    make_event("已结束", starts_at=now - timedelta(hours=3), hours=1)
    assert list(Event.objects.upcoming()) == [running]


def test_event_detail_shows_notice_with_station_link(client, make_event, station):
    event = make_event("加油站安全培训", station=station, place="", capacity=30)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "加油站安全培训" in html
    assert f'href="{station.get_absolute_url()}"' in html
    assert reverse("events:ics", args=[event.pk]) in html
    assert "30" in html


def test_event_detail_of_draft_is_404(client, make_event):
    event = make_event(published=False)
    assert client.get(event.get_absolute_url()).status_code == 404


def test_event_detail_json_ld_carries_status(client, make_event, station):
    event = make_event(
        "取消的培训", station=station, status=Event.Status.CANCELLED, status_note="暴雨"
    )
    html = client.get(event.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "Event"
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["startDate"].endswith("+08:00")
    assert data["location"]["name"] == station.name


def test_event_json_ld_cannot_break_out_of_its_script(rf, make_event):
    event = make_event()
    Event.objects.filter(pk=event.pk).update(title="</script><script>alert(1)</script>")
    event.refresh_from_db()
    text = event_json_ld(event, rf.get("/"))
    assert "</script>" not in text and "<" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_event_detail_escapes_markup_written_around_the_forms(client, make_event):
    event = make_event()
    Event.objects.filter(pk=event.pk).update(
        description="第一段 <script>alert(1)</script>\n\n"
        '详情见 https://example.cn/a <a href="javascript:x">x</a>'
    )
    html = client.get(event.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert '<a href="javascript' not in html
    assert '<a href="https://example.cn/a" rel="nofollow noopener noreferrer">' in html
    assert "<p>第一段" in html


def test_event_detail_shows_report_after_the_event(client, make_event):
    event = make_event(days=-2, people_reached=85, report="共发放防暑用品85份。")
    html = client.get(event.get_absolute_url()).content.decode()
    assert "共发放防暑用品85份。" in html
    assert "85" in html


def test_home_page_shows_next_events(client, make_event):
    make_event("第一场", days=1)
    make_event("第二场", days=2)
    make_event("已经结束", days=-2)
    html = client.get(reverse("home")).content.decode()
    assert "第一场" in html and "第二场" in html and "已经结束" not in html


def test_station_partial_lists_upcoming_events_at_the_station(make_event, station):
    make_event("站点活动", station=station, place="")
    make_event("别处活动")
    make_event("站点旧活动", station=station, place="", days=-5)
    html = render_to_string(
        "events/_station_events.html",
        {"station": station, "data": list(Event.objects.upcoming_at(station))},
    )
    assert "站点活动" in html and "别处活动" not in html and "站点旧活动" not in html


def test_upcoming_by_station_is_one_query(make_event, station, django_assert_num_queries):
    from stations.models import Station

    other = Station.objects.create(
        name="东兴驿站", slug="dongxing", latitude=21.535, longitude=107.975, published=True
    )
    for day in range(1, 6):
        make_event(f"港口{day}", days=day, station=station, place="")
    make_event("东兴", station=other, place="")
    with django_assert_num_queries(1):
        grouped = Event.objects.upcoming_by_station([station.pk, other.pk], limit=3)
        titles = {pk: [e.title for e in events] for pk, events in grouped.items()}
    assert titles == {station.pk: ["港口1", "港口2", "港口3"], other.pk: ["东兴"]}


@pytest.mark.parametrize("count", [1, 8])
def test_event_list_query_count_is_constant(
    client, make_event, station, count, django_assert_num_queries
):
    for i in range(count):
        make_event(f"未来{i}", days=i + 1, station=station if i % 2 else None)
        make_event(f"过去{i}", days=-(i + 1), station=station if i % 2 else None)
    with django_assert_num_queries(2):
        assert client.get(reverse("events:list")).status_code == 200


@pytest.mark.parametrize("photos", [0, 4])
def test_event_detail_query_count_is_constant(
    client, make_event, station, photos, django_assert_num_queries
):
    from events.models import EventPhoto

    event = make_event(station=station, place="", days=-1)
    for i in range(photos):
        EventPhoto.objects.create(event=event, image=f"p{i}.jpg", thumbnail=f"p{i}s.jpg")
    with django_assert_num_queries(2):
        assert client.get(event.get_absolute_url()).status_code == 200


def test_home_page_query_count(client, make_event, django_assert_num_queries):
    for day in range(1, 6):
        make_event(days=day)
    # One query for the next events, one for the stations' amenity shortcuts.
    with django_assert_num_queries(2):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("pk", ["0", "99999999999999999999999"])
def test_event_detail_of_unknown_id_is_404(client, pk):
    assert client.get(f"/events/{pk}/").status_code == 404
    assert client.get(f"/events/{pk}/event.ics").status_code == 404


def test_event_list_days_follow_time_zone_setting_when_utc(client, make_event, settings):
    # One local time zone, TIME_ZONE: under UTC both events fall on 15 July.
    settings.TIME_ZONE = "UTC"
    make_event("深夜", starts_at=datetime(2030, 7, 15, 15, 30, tzinfo=UTC), hours=1)
    make_event("凌晨", starts_at=datetime(2030, 7, 15, 16, 30, tzinfo=UTC), hours=1)
    html = client.get(reverse("events:list")).content.decode()
    assert '<time datetime="2030-07-15">' in html
    assert '<time datetime="2030-07-16">' not in html
    assert "2030年7月15日 15:30" in html and "2030年7月15日 16:30" in html


def test_event_list_days_follow_time_zone_setting_in_shanghai(client, make_event):
    make_event("深夜", starts_at=datetime(2030, 7, 15, 15, 30, tzinfo=UTC), hours=1)
    make_event("凌晨", starts_at=datetime(2030, 7, 15, 16, 30, tzinfo=UTC), hours=1)
    html = client.get(reverse("events:list")).content.decode()
    day_15 = html.index('<time datetime="2030-07-15">')
    day_16 = html.index('<time datetime="2030-07-16">')
    assert day_15 < html.index("深夜") < day_16 < html.index("凌晨")
    assert "2030年7月15日 23:30" in html and "2030年7月16日 00:30" in html


def test_event_list_offers_a_webcal_subscription(client):
    html = client.get(reverse("events:list")).content.decode()
    assert 'href="webcal://testserver/events.ics"' in html


def test_event_detail_names_an_unpublished_station_without_a_dead_link(client, make_event, station):
    event = make_event(station=station, place="")
    station.published = False
    station.save()
    html = client.get(event.get_absolute_url()).content.decode()
    assert station.name in html
    assert f'href="{station.get_absolute_url()}"' not in html
