"""The shared page cache: fresh after every kind of write, never for staff, never mixed.

Writes run their on-commit callbacks (``django_capture_on_commit_callbacks``) as a real
commit would: the data version is replaced after the commit, never before.
"""

import re
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from events.models import Event
from portal import pagecache
from portal.lib import dataversion
from stations.models import OpeningHours, Station
from tests.stations.test_admin import CSV_HEADER, _change_form_data, _csv_format, _import

# 06:59:30 local time (UTC+8) on Tuesday 2 June: a station opening at 07:00 opens in 30 s.
BEFORE_SEVEN = datetime(2026, 6, 1, 22, 59, 30, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("page_cache_on")


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response, response.content.decode()


def test_second_anonymous_get_is_a_hit_in_one_cache_round_trip(
    client, make_station, django_assert_num_queries
):
    make_station("港口站")
    url = reverse("stations:list")
    first, html = get(client, url)
    assert first["X-Page-Cache"] == "miss"
    # The database cache: one query fetches the page and the data version together.
    with django_assert_num_queries(1):
        second, again = get(client, url)
    assert second["X-Page-Cache"] == "hit"
    assert again == html
    assert "Cookie" in second["Vary"]
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_query_string_is_part_of_the_key(client, make_station):
    make_station("港口站", amenities=["showers"])
    make_station("东兴站")
    url = reverse("stations:list")
    get(client, url)
    response, html = get(client, url, data={"amenity": "showers"})
    assert response["X-Page-Cache"] == "miss"
    assert "东兴站" not in html


def test_admin_edit_shows_on_the_next_request(
    client, make_station, superuser, django_capture_on_commit_callbacks
):
    station = make_station("旧名字站", slug="renamed")
    url = reverse("stations:detail", args=[station.slug])
    get(client, url)
    assert get(client, url)[0]["X-Page-Cache"] == "hit"
    staff = Client()
    staff.force_login(superuser)
    data = _change_form_data(station, name_zh_hans="新名字站")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("admin:stations_station_change", args=[station.pk]), data)
    assert response.status_code == 302
    response, html = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "新名字站" in html and "旧名字站" not in html
    assert "新名字站" in get(client, reverse("stations:list"))[1]


def test_staff_page_write_shows_on_the_next_request(
    client, make_event, organizer, django_capture_on_commit_callbacks
):
    event = make_event("待发布活动", published=False)
    url = reverse("events:list")
    get(client, url)
    assert "待发布活动" not in get(client, url)[1]
    staff = Client()
    staff.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(reverse("events:staff-publish", args=[event.pk]), {"published": "1"})
    assert response.status_code == 302
    assert "待发布活动" in get(client, url)[1]
    assert "待发布活动" in get(client, reverse("home"))[1]


def test_import_shows_on_the_next_request(
    client, superuser, db, django_capture_on_commit_callbacks
):
    url = reverse("stations:list")
    assert "导入的站" not in get(client, url)[1]
    assert get(client, url)[0]["X-Page-Cache"] == "hit"
    staff = Client()
    staff.force_login(superuser)
    content = CSV_HEADER + "imported,导入的站,driver_home,G228,gangkou,21.6,108.35,,open,1,1,\n"
    html = _import(staff, content).content.decode()
    confirm = re.search(r'name="import_file_name" value="([^"]+)"', html)
    original = re.search(r'name="original_file_name" value="([^"]+)"', html)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            reverse("admin:stations_station_process_import"),
            {
                "import_file_name": confirm.group(1),
                "original_file_name": original.group(1),
                "format": _csv_format(),
                "resource": "0",
            },
        )
    assert response.status_code == 302
    assert "导入的站" in get(client, url)[1]


@pytest.mark.parametrize("kind", ["update", "bulk_update", "bulk_create", "delete", "raw"])
def test_bulk_writes_show_on_the_next_request(
    client, make_station, django_capture_on_commit_callbacks, kind
):
    station = make_station("批量前站")
    url = reverse("stations:list")
    get(client, url)
    assert get(client, url)[0]["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        if kind == "update":
            Station.objects.filter(pk=station.pk).update(name="批量后站")
        elif kind == "bulk_update":
            station.name = "批量后站"
            Station.objects.bulk_update([station], ["name"])
        elif kind == "bulk_create":
            Station.objects.bulk_create(
                [Station(name="批量后站", slug="bulk", latitude=21.6, longitude=108.3)]
            )
            Station.objects.filter(slug="bulk").update(published=True)
        elif kind == "delete":
            Station.objects.filter(pk=station.pk).delete()
        else:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {Station._meta.db_table} SET name_zh_hans = %s WHERE id = %s",  # noqa: S608
                    ["批量后站", station.pk],
                )
    response, html = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert ("批量前站" in html) is (kind == "bulk_create")
    assert ("批量后站" in html) is (kind != "delete")


def test_writes_of_unwatched_tables_keep_the_cache(
    client, make_station, make_user, django_capture_on_commit_callbacks
):
    make_station()
    url = reverse("stations:list")
    get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        make_user("someone")
    assert get(client, url)[0]["X-Page-Cache"] == "hit"


def test_a_rolled_back_write_changes_nothing_and_later_writes_still_count(
    make_station, django_capture_on_commit_callbacks
):
    from django.db import transaction

    station = make_station("回滚站")
    with django_capture_on_commit_callbacks(execute=True):
        Station.objects.filter(pk=station.pk).update(name="一")
    before = dataversion.current()
    with pytest.raises(RuntimeError), transaction.atomic():
        Station.objects.filter(pk=station.pk).update(name="不会出现")
        raise RuntimeError
    assert dataversion.current() == before
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Station.objects.filter(pk=station.pk).update(name="二")
        Station.objects.filter(pk=station.pk).update(name="三")
    assert len(callbacks) == 2
    after = dataversion.current()
    assert after != before
    # Both statements were one commit: one new version, not two.
    with django_capture_on_commit_callbacks(execute=True):
        pass
    assert dataversion.current() == after


def test_open_now_flips_at_the_minute_the_station_opens(client, make_station):
    station = make_station("七点开门站", open_24h=False)
    OpeningHours.objects.create(station=station, weekday=1, opens=time(7, 0), closes=time(19, 0))
    url = reverse("stations:detail", args=[station.slug])
    with time_machine.travel(BEFORE_SEVEN, tick=False):
        closed = get(client, url)[1]
        assert get(client, url)[0]["X-Page-Cache"] == "hit"
    with time_machine.travel(BEFORE_SEVEN.replace(minute=59, second=59), tick=False):
        assert get(client, url)[0]["X-Page-Cache"] == "hit"
    with time_machine.travel(BEFORE_SEVEN.replace(hour=23, minute=0, second=0), tick=False):
        response, opened = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "当前未营业" in closed
    assert "正在营业" in opened and "当前未营业" not in opened


def test_signed_in_staff_never_get_a_cached_page(client, make_station, superuser):
    make_station("港口站")
    url = reverse("stations:list")
    get(client, url)
    assert get(client, url)[0]["X-Page-Cache"] == "hit"
    staff = Client()
    staff.force_login(superuser)
    response = staff.get(url)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response


def test_anonymous_visitors_never_get_a_page_rendered_for_staff(client, make_station, superuser):
    station = make_station("港口站")
    url = reverse("stations:detail", args=[station.slug])
    staff = Client()
    staff.force_login(superuser)
    staff.get(url)
    staff.get(url)
    # Nothing rendered for a signed-in account is stored.
    assert cache.get(pagecache.page_key_for(url, "zh-hans")) is None
    assert get(client, url)[0]["X-Page-Cache"] == "miss"
    # Staff pages are never cached, for anyone: an anonymous visitor is sent to sign in.
    for path in ("/staff/events/", "/admin/", "/en/staff/help/"):
        staff.get(path)
        response = client.get(path)
        assert response.status_code == 302
        assert "X-Page-Cache" not in response
        assert "no-store" in response["Cache-Control"]


def test_languages_never_mix(client, make_station):
    make_station("港口站")
    pages = {"zh-hans": "/stations/", "en": "/en/stations/", "vi": "/vi/stations/"}
    for _ in range(2):
        for code, path in pages.items():
            response, html = get(client, path)
            assert f'lang="{code}"' in html
            assert response["Content-Language"] == code
    # The feed outside the language prefix: the visitor's language picks its own entry.
    for code in ("en", "vi", "zh-hans"):
        translation.activate("zh-hans")
        response = client.get("/events/feed/" if code == "zh-hans" else f"/{code}/events/feed/")
        assert response.status_code == 200
        assert response["Content-Language"] == code


def test_no_cookie_and_no_other_visitors_csrf_token_from_the_cache(client, make_station, settings):
    make_station("港口站")
    url = reverse("stations:list")
    first = Client()
    first.cookies["csrftoken"] = "a" * 32
    get(first, url)
    response, html = get(client, url)
    assert response["X-Page-Cache"] == "hit"
    assert not response.cookies
    assert "a" * 32 not in html
    assert "csrfmiddlewaretoken" not in html


def test_a_page_with_a_csrf_token_or_a_cookie_is_never_stored(client, make_station, monkeypatch):
    make_station("港口站")
    monkeypatch.setattr(pagecache, "CACHED_VIEWS", pagecache.CACHED_VIEWS | {"helpdesk:form"})
    url = reverse("helpdesk:form")
    for visitor in (Client(), Client(), client):
        response = visitor.get(url)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "miss"
        assert "csrfmiddlewaretoken" in response.content.decode()


def test_a_visitor_with_a_notice_to_see_bypasses_the_cache(client, make_station):
    make_station("港口站")
    url = reverse("stations:list")
    get(client, url)
    client.cookies["messages"] = "anything"
    assert "X-Page-Cache" not in client.get(url)


def test_feed_revalidation_answers_304_from_the_cache(client, make_station):
    make_station("港口站")
    url = reverse("stations-feed")
    first = client.get(url)
    etag = first["ETag"]
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


def test_page_cache_off_serves_afresh(client, make_station, settings):
    settings.PAGE_CACHE = False
    make_station()
    url = reverse("stations:list")
    get(client, url)
    assert "X-Page-Cache" not in get(client, url)[0]


def test_a_cache_that_does_not_answer_is_a_miss(client, make_station, monkeypatch):
    make_station("港口站")

    def down(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(pagecache.cache, "get_many", down)
    response, html = get(client, reverse("stations:list"))
    assert "港口站" in html


def test_event_stays_current_when_cancelled_through_the_model(
    client, make_event, django_capture_on_commit_callbacks
):
    event = make_event("要取消的活动")
    url = reverse("events:detail", args=[event.pk])
    get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        Event.objects.filter(pk=event.pk).update(title="已改名的活动")
    assert "已改名的活动" in get(client, url)[1]


@time_machine.travel(BEFORE_SEVEN, tick=False)
def test_nearby_cards_come_from_the_cache_in_one_round_trip(
    client, make_station, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for index in range(12):
        make_station(
            f"卡片站{index}",
            latitude=21.58 + index * 0.001,
            longitude=108.36,
            amenities=["showers"],
        )
    url = reverse("stations:nearby")
    first = get(client, url, data={"lat": "21.58", "lng": "108.36"})[1]
    # Another position, the same stations: the nearest twenty, and one round trip to the
    # cache for the data version (the cards and the page's shell this process holds already;
    # no amenities, no hours, no amenity choices).
    with django_assert_num_queries(2):
        response, second = get(client, url, data={"lat": "21.59", "lng": "108.36"})
    assert "X-Page-Cache" not in response  # the page itself holds a position: never stored
    distances = re.compile(r'class="distance">([^<]+)<')
    assert distances.findall(first) != distances.findall(second)
    assert "\ue000" not in second
    assert second.count("station-card") == first.count("station-card") == 12
    with django_capture_on_commit_callbacks(execute=True):
        Station.objects.filter(name="卡片站3").update(name="改名的卡片站")
    assert "改名的卡片站" in get(client, url, data={"lat": "21.59", "lng": "108.36"})[1]
    # English cards for the English page.
    english = get(client, "/en/stations/nearby/", data={"lat": "21.59", "lng": "108.36"})[1]
    assert "Showers" in english and "淋浴" not in english.split('id="nearby-results"')[1]


def test_a_hit_is_served_compressed_to_those_who_accept_it(client, make_station):
    import gzip

    make_station("港口站")
    url = reverse("stations:list")
    plain = get(client, url)[1]
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert response["X-Page-Cache"] == "hit"
    assert response["Content-Encoding"] == "gzip"
    assert int(response["Content-Length"]) == len(response.content)
    assert "Accept-Encoding" in response["Vary"] and "Cookie" in response["Vary"]
    assert gzip.decompress(response.content).decode() == plain
    again = client.get(url)
    assert again["X-Page-Cache"] == "hit" and not again.has_header("Content-Encoding")
    assert again.content.decode() == plain


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('INSERT INTO "stations_station" ("name") VALUES (%s)', "stations_station"),
        ('INSERT OR IGNORE INTO "stations_station" ("name") VALUES (%s)', "stations_station"),
        ('UPDATE "events_event" SET "title" = %s', "events_event"),
        ('DELETE FROM "stations_openinghours" WHERE "id" IN (%s)', "stations_openinghours"),
        ("update stations_station set name = 'x'", "stations_station"),
        ('SELECT "stations_station"."id" FROM "stations_station"', None),
        ('WITH nearby_pick AS (SELECT 1) SELECT * FROM "stations_station"', None),
    ],
)
def test_written_table_reads_the_statement(sql, table):
    assert dataversion.written_table(sql) == table


def test_watched_tables_cover_the_listed_apps_and_their_link_tables():
    tables = dataversion.watched_tables()
    assert {"stations_station", "stations_stationamenity", "events_event"} <= tables
    assert "accounts_organisation" in tables
    assert "accounts_user" not in tables and "portal_cache" not in tables
    assert "django_session" not in tables and "helpdesk_helprequest" not in tables


@pytest.mark.django_db(transaction=True)
def test_autocommit_writes_count_and_leave_their_rows_whole(client, settings, make_station):
    # Outside any transaction, as management commands and plain scripts write: the token is
    # replaced only once the statement is done (an INSERT … RETURNING still had its row to
    # read, and the database cache writes on the same connection).
    from accounts.models import Organisation
    from notices.models import GroupWebhook

    settings.PAGE_CACHE = True
    url = reverse("stations:list")
    get(client, url)
    assert get(client, url)[0]["X-Page-Cache"] == "hit"
    branch = Organisation.objects.create(name="自动提交支部", kind=Organisation.Kind.BRANCH)
    GroupWebhook.objects.create(
        name="hook", provider="wecom", organisation=branch, url="https://example.org/hook?key=k"
    )
    assert Organisation.objects.filter(pk=branch.pk).exists()
    make_station("自动提交站")
    response, html = get(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "自动提交站" in html
