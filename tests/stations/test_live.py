"""Stations kept live from the road: parking now (age, fading, drivers' reports), the
"parking not full" filter, the vanguard post, and the manager's console (access, effects,
history, query counts)."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from accounts.roles import STATION_MANAGERS
from stations.models import ParkingReport, Station, StationAmenity, StationChange
from stations.parking import parking_now
from stations.services import station_parking_report

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOON = datetime(2026, 11, 27, 12, 0, tzinfo=SH)


@pytest.fixture
def fast_forms(settings):
    settings.HELP_MIN_FILL_SECONDS = 0
    cache.clear()


@pytest.fixture
def managed(make_station, station_manager):
    station = make_station(
        name="七沙司机之家",
        slug="qisha",
        truck_parking_spaces=40,
        amenities=["hot_water", "showers"],
    )
    station.managers.add(station_manager)
    return station


def feed(client):
    return {f["id"]: f["properties"] for f in client.get("/stations.geojson").json()["features"]}


# --- Parking: age, fading, who reported it --------------------------------------------


def test_parking_age_and_fading_on_a_frozen_clock(client, managed, settings):
    settings.PARKING_FRESH_MINUTES = 90
    with time_machine.travel(NOON, tick=False):
        station_parking_report(station=managed, level="full", source="station")
    with time_machine.travel(NOON + timedelta(minutes=12), tick=False):
        managed.refresh_from_db()
        with translation.override("en"):
            now = parking_now(managed)
        assert (now.level, now.age, now.fresh) == ("full", "12 min ago", True)
        body = client.get("/en" + managed.get_absolute_url()).content.decode()
        assert "12 min ago" in body and "reported by the station" in body
        assert feed(client)["qisha"]["parking"] == "full"
    with time_machine.travel(NOON + timedelta(minutes=91), tick=False):
        with translation.override("en"):
            now = parking_now(managed)
        assert (now.level, now.fresh, now.age) == ("unknown", False, "1 h ago")
        body = client.get("/en" + managed.get_absolute_url()).content.decode()
        assert "Parking: unknown" in body and "last report 1 h ago" in body
        props = feed(client)["qisha"]
        assert props["parking"] == "unknown" and props["parking_at"] is None


def test_a_drivers_report_after_the_stations_shows_the_newer(client, managed):
    with time_machine.travel(NOON, tick=False):
        station_parking_report(station=managed, level="plenty", source="station")
    with time_machine.travel(NOON + timedelta(minutes=5), tick=False):
        station_parking_report(station=managed, level="full", source="drivers")
        managed.refresh_from_db()
        assert (managed.parking_level, managed.parking_source) == ("full", "drivers")
        body = client.get("/en" + managed.get_absolute_url()).content.decode()
        assert "reported by drivers" in body
    with time_machine.travel(NOON + timedelta(minutes=10), tick=False):
        station_parking_report(station=managed, level="few", free_spaces=3, source="station")
        managed.refresh_from_db()
        with translation.override("en"):
            assert parking_now(managed).label == "3 truck spaces free"
        with translation.override("zh-hans"):
            assert parking_now(managed).label == "空余货车车位3个"
    # An older report arriving late never hides a newer one.
    station_parking_report(station=managed, level="full", source="drivers", now=NOON)
    managed.refresh_from_db()
    assert managed.parking_level == "few"


def _driver_post(client, station, level="full", ip="10.0.0.1", **extra):
    from stations.reports import DriverParkingForm

    token = DriverParkingForm().initial["token"]
    data = {"token": token, "website": "", "level": level, **extra}
    return client.post(
        reverse("stations:parking-report", kwargs={"slug": station.slug}), data, REMOTE_ADDR=ip
    )


def test_drivers_report_without_an_account_and_nothing_personal_is_kept(
    client, managed, fast_forms
):
    page = client.get(reverse("stations:parking-report", kwargs={"slug": managed.slug}))
    assert page.status_code == 200 and 'name="website"' in page.content.decode()
    response = _driver_post(client, managed, ip="203.0.113.7")
    assert response.status_code == 302
    report = ParkingReport.objects.get()
    assert (report.source, report.level) == ("drivers", "full")
    stored = json.dumps(list(ParkingReport.objects.values()), default=str)
    assert "203.0.113.7" not in stored
    managed.refresh_from_db()
    assert managed.parking_source == "drivers"
    # No history line: the history is the staff's.
    assert not StationChange.objects.exists()


def test_drivers_report_honeypot_and_fill_time(client, managed, settings):
    cache.clear()
    settings.HELP_MIN_FILL_SECONDS = 0
    assert _driver_post(client, managed, website="http://spam").status_code == 400
    settings.HELP_MIN_FILL_SECONDS = 30
    assert _driver_post(client, managed).status_code == 400
    assert not ParkingReport.objects.exists()


def test_drivers_report_rate_limits_per_address_and_per_station(
    client, managed, fast_forms, settings
):
    settings.STATION_REPORT_RATE_PER_IP = "2/600"
    settings.STATION_REPORT_RATE_PER_STATION = "4/600"
    codes = [_driver_post(client, managed, ip="10.0.0.1").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    codes = [_driver_post(client, managed, ip=f"10.0.1.{n}").status_code for n in range(3)]
    assert codes == [302, 302, 429]
    assert ParkingReport.objects.count() == 4


def test_a_resent_drivers_report_is_stored_once(client, managed, fast_forms):
    from stations.reports import DriverParkingForm

    token = DriverParkingForm().initial["token"]
    url = reverse("stations:parking-report", kwargs={"slug": managed.slug})
    for _ in range(2):
        client.post(url, {"token": token, "website": "", "level": "few"})
    assert ParkingReport.objects.count() == 1


# --- "Parking not full" -----------------------------------------------------------------


def test_parking_not_full_filter_on_list_nearby_and_queryset(client, make_station):
    full = make_station(name="满了", slug="full", truck_parking_spaces=20)
    free = make_station(name="有位", slug="free", truck_parking_spaces=20)
    unknown = make_station(name="未知有车位", slug="unknown", truck_parking_spaces=10)
    make_station(name="无停车场", slug="none")
    station_parking_report(station=full, level="full", source="station")
    station_parking_report(station=free, level="few", source="drivers")
    found = set(Station.objects.parking_not_full().values_list("slug", flat=True))
    assert found == {"free", "unknown"}
    body = client.get(reverse("stations:list"), {"parking": "on"}).content.decode()
    assert "有位" in body and "未知有车位" in body and "满了" not in body and "无停车场" not in body
    body = client.get(
        reverse("stations:nearby"), {"lat": 21.6, "lng": 108.35, "parking": "on"}
    ).content.decode()
    assert "有位" in body and "满了" not in body
    # A stale "full" is unknown again: the station's spaces count.
    later = datetime.now(tz=SH) + timedelta(hours=3)
    assert unknown.pk in Station.objects.parking_not_full(later).values_list("pk", flat=True)
    assert full.pk in Station.objects.parking_not_full(later).values_list("pk", flat=True)


def test_feed_carries_parking_and_the_vanguard_post(client, make_station):
    make_station(
        slug="vanguard",
        vanguard_post=True,
        vanguard_hours="每天 08:00–20:00",
        vanguard_phone="07702800123",
    )
    make_station(slug="plain")
    props = feed(client)
    assert props["vanguard"]["vanguard"] == {"hours": "每天 08:00–20:00", "phone": "07702800123"}
    assert props["plain"]["vanguard"] is None
    assert props["plain"]["parking"] == "unknown"


def test_station_page_shows_the_vanguard_post(client, make_station):
    station = make_station(
        slug="vanguard",
        vanguard_post=True,
        vanguard_hours="08:00–20:00",
        vanguard_phone="07702800123",
    )
    body = client.get(station.get_absolute_url()).content.decode()
    assert "党员先锋岗" in body and "值守时间：08:00–20:00" in body
    body = client.get("/en" + station.get_absolute_url()).content.decode()
    assert "Party-member vanguard post" in body and 'href="tel:07702800123"' in body


# --- The console: access matrix ----------------------------------------------------------


@pytest.fixture
def personas(make_user, organizer, dispatcher, help_handler, superuser):
    other = make_user("other_manager", STATION_MANAGERS)
    return {
        "other manager": other,
        "organizer": organizer,
        "dispatcher": dispatcher,
        "help handler": help_handler,
    }


def _console_urls(station):
    return [
        reverse("stations:console"),
        reverse("stations:console-station", kwargs={"slug": station.slug}),
    ]


def test_console_access_matrix(client, managed, personas, station_manager, superuser):
    station_url = reverse("stations:console-station", kwargs={"slug": managed.slug})
    action = reverse("stations:console-action", kwargs={"slug": managed.slug, "action": "checked"})
    # Anonymous: sent to sign in, nothing written.
    assert client.get(station_url).status_code == 302
    assert client.post(action).status_code == 302
    for name, user in personas.items():
        client.force_login(user)
        if name == "other manager":
            listing = client.get(reverse("stations:console"))
            assert listing.status_code == 200 and managed.name not in listing.content.decode()
        else:
            assert client.get(reverse("stations:console")).status_code == 404, name
        assert client.get(station_url).status_code == 404, name
        assert client.post(action).status_code == 404, name
    managed.refresh_from_db()
    assert managed.last_verified is None and not StationChange.objects.exists()
    for user in (station_manager, superuser):
        client.force_login(user)
        page = client.get(station_url)
        assert page.status_code == 200
        body = page.content.decode()
        for value in ("plenty", "few", "full"):
            assert f'type="radio" name="level" value="{value}"' in body
        assert managed.name in client.get(reverse("stations:console")).content.decode()


# --- The console: effects on the public page and the feed, within one request -------------


def test_console_changes_show_on_the_public_page_and_feed_at_once(client, managed, station_manager):
    public = managed.get_absolute_url()
    client.force_login(station_manager)
    hot_water = StationAmenity.objects.get(station=managed, amenity__code="hot_water")

    def act(action, **data):
        url = reverse("stations:console-action", kwargs={"slug": managed.slug, "action": action})
        return client.post(url, data)

    assert (
        act(
            "amenity",
            row=hot_water.pk,
            live_status="out_of_order",
            **{
                f"a{hot_water.pk}-note": "热水器维修中",
                f"a{hot_water.pk}-until": "2026-12-04T18:00",
            },
        ).status_code
        == 302
    )
    assert act("parking", level="full").status_code == 302
    assert act("close", reason="道路施工", reopens_at="2026-12-05T08:00").status_code == 302
    assert act("checked").status_code == 302

    body = client.get("/en" + public).content.decode()
    assert "热水器维修中" in body and "until 2026-12-04 18:00" in body
    assert "Full" in body and "reported by the station" in body
    assert "道路施工" in body and "Expected to reopen 2026-12-05 08:00" in body
    managed.refresh_from_db()
    assert managed.last_verified is not None
    props = feed(client)["qisha"]
    assert props["out_of_order"] == ["hot_water"]
    assert props["parking"] == "full" and props["status"] == "temporarily_closed"

    kinds = list(StationChange.objects.order_by("created_at", "id").values_list("kind", "actor"))
    assert kinds == [
        ("amenity", station_manager.pk),
        ("parking", station_manager.pk),
        ("closed", station_manager.pk),
        ("checked", station_manager.pk),
    ]
    assert act("reopen").status_code == 302
    managed.refresh_from_db()
    assert managed.status == "open" and managed.reopens_at is None


def test_console_english_page_post_fills_each_language_column(client, managed, station_manager):
    """On an English console page the Chinese input still writes the Chinese column, and the
    optional English and Vietnamese inputs their own; the public pages show each language."""
    client.force_login(station_manager)
    hot_water = StationAmenity.objects.get(station=managed, amenity__code="hot_water")
    with translation.override("en"):
        page = reverse("stations:console-station", kwargs={"slug": managed.slug})
        amenity = reverse(
            "stations:console-action", kwargs={"slug": managed.slug, "action": "amenity"}
        )
        close = reverse("stations:console-action", kwargs={"slug": managed.slug, "action": "close"})
    assert page.startswith("/en/")
    prefix = f"a{hot_water.pk}-"
    response = client.post(
        amenity,
        {
            "row": hot_water.pk,
            "live_status": "out_of_order",
            prefix + "note": "热水器维修中",
            prefix + "note_en": "Boiler under repair",
            prefix + "note_vi": "Đang sửa bình nóng lạnh",
        },
    )
    assert response.status_code == 302
    response = client.post(
        close,
        {"reason": "道路施工", "reason_en": "Road works", "reason_vi": "Đang thi công đường"},
    )
    assert response.status_code == 302
    hot_water.refresh_from_db()
    managed.refresh_from_db()
    assert (hot_water.status_note_zh_hans, hot_water.status_note_en, hot_water.status_note_vi) == (
        "热水器维修中",
        "Boiler under repair",
        "Đang sửa bình nóng lạnh",
    )
    assert (
        managed.closure_reason_zh_hans,
        managed.closure_reason_en,
        managed.closure_reason_vi,
    ) == ("道路施工", "Road works", "Đang thi công đường")
    # The history keeps the Chinese text, whatever the page's language.
    summaries = list(StationChange.objects.order_by("id").values_list("kind", "summary"))
    assert [kind for kind, _ in summaries] == ["amenity", "closed"]
    assert summaries[0][1].endswith(" — 热水器维修中") and summaries[1][1] == "道路施工"
    # The form shows each stored text in its own input again (Chinese first).
    body = client.get(page).content.decode()
    assert f'name="{prefix}note" value="热水器维修中"' in body
    assert f'name="{prefix}note_en" value="Boiler under repair"' in body
    assert 'name="reason_vi" value="Đang thi công đường"' in body
    assert body.index('name="reason"') < body.index('id="closure-languages"')
    # Drivers read their own language.
    with translation.override("vi"):
        public = client.get(managed.get_absolute_url()).content.decode()
    assert "Đang sửa bình nóng lạnh" in public and "Đang thi công đường" in public
    assert "热水器维修中" not in public and "道路施工" not in public
    with translation.override("en"):
        public = client.get(managed.get_absolute_url()).content.decode()
    assert "Boiler under repair" in public and "Road works" in public
    # A later note typed in Chinese only drops the translations of the old one.
    client.post(amenity, {"row": hot_water.pk, "live_status": "limited", prefix + "note": "停水"})
    hot_water.refresh_from_db()
    assert (hot_water.status_note_zh_hans, hot_water.status_note_en) == ("停水", "")


def test_console_translations_too_long_are_a_400_and_write_nothing(
    client, managed, station_manager
):
    client.force_login(station_manager)
    close = reverse("stations:console-action", kwargs={"slug": managed.slug, "action": "close"})
    response = client.post(close, {"reason": "道路施工", "reason_vi": "x" * 301})
    assert response.status_code == 400
    assert 'id="closure-languages" open' in response.content.decode()
    managed.refresh_from_db()
    assert managed.status == "open" and not StationChange.objects.exists()


def test_console_bad_input_is_a_400_and_writes_nothing(client, managed, station_manager):
    client.force_login(station_manager)
    url = reverse("stations:console-action", kwargs={"slug": managed.slug, "action": "parking"})
    response = client.post(url, {"level": "full", "free_spaces": "-3"})
    assert response.status_code == 400
    response = client.post(url, {"level": "nonsense\x00"})
    assert response.status_code == 400
    close = reverse("stations:console-action", kwargs={"slug": managed.slug, "action": "close"})
    assert client.post(close, {"reason": ""}).status_code == 400
    bogus = reverse("stations:console-action", kwargs={"slug": managed.slug, "action": "amenity"})
    assert client.post(bogus, {"row": "999999", "live_status": "available"}).status_code == 404
    managed.refresh_from_db()
    assert managed.parking_level == "" and managed.status == "open"
    assert not StationChange.objects.exists()


# --- Query counts ------------------------------------------------------------------------


def _many_stations(make_station, manager, count):
    for index in range(count):
        station = make_station(slug=f"s{index}", amenities=["hot_water"], truck_parking_spaces=5)
        station.managers.add(manager)
        station_parking_report(station=station, level="few", source="drivers")


@pytest.mark.parametrize("count", [3, 9])
def test_console_list_query_count_is_constant(
    client, make_station, station_manager, django_assert_num_queries, count
):
    _many_stations(make_station, station_manager, count)
    client.force_login(station_manager)
    client.get(reverse("stations:console"))  # warm the session
    with django_assert_num_queries(QUERIES["console"]):
        response = client.get(reverse("stations:console"))
    assert response.content.decode().count('class="card console-station"') == count


@pytest.mark.parametrize("count", [3, 9])
def test_public_query_counts_stay_constant_with_parking(
    client, make_station, station_manager, django_assert_num_queries, count
):
    _many_stations(make_station, station_manager, count)
    # Amenity choices, the page of stations (keyset, no COUNT below a full page), amenity
    # rows, opening hours.
    with django_assert_num_queries(4):
        client.get(reverse("stations:list"), {"parking": "on"})
    # Nearby in one query at any density, then the amenity choices, amenity rows, opening
    # hours; never more with more stations.
    with django_assert_num_queries(NEARBY_QUERIES):
        client.get(reverse("stations:nearby"), {"lat": 21.6, "lng": 108.35, "parking": "on"})
    with django_assert_num_queries(5):
        client.get("/stations.geojson")


# Session, user, groups, stations with their out-of-order counts, and the second factor's
# session check: the same for 3 stations as for 9.
QUERIES = {"console": 5}
NEARBY_QUERIES = 4


def test_feed_and_queryset_agree_on_parking_not_full(client, make_station):
    import random

    chance = random.Random(13)
    for index in range(30):
        station = make_station(slug=f"r{index}", truck_parking_spaces=chance.choice([None, 0, 12]))
        level = chance.choice(["", "plenty", "few", "full"])
        if level:
            minutes = chance.choice([5, 200])
            with time_machine.travel(datetime.now(tz=SH) - timedelta(minutes=minutes)):
                station_parking_report(station=station, level=level, source="drivers")
    from_sql = set(Station.objects.parking_not_full().values_list("slug", flat=True))
    from_feed = {slug for slug, props in feed(client).items() if props["parking_not_full"]}
    assert from_sql == from_feed and 0 < len(from_sql) < 30


@pytest.mark.parametrize("count", [2, 8])
def test_console_station_page_query_count_is_constant(
    client, make_station, station_manager, django_assert_num_queries, count
):
    from stations.models import Amenity
    from stations.services import station_correction_submit

    station = make_station(slug="busy", truck_parking_spaces=5)
    station.managers.add(station_manager)
    for amenity in Amenity.objects.all()[:count]:
        StationAmenity.objects.create(station=station, amenity=amenity)
    for _ in range(count):
        station_parking_report(station=station, level="few", source="station")
        station_correction_submit(station=station, kind="hours", text="7点开门")
    client.force_login(station_manager)
    url = reverse("stations:console-station", kwargs={"slug": "busy"})
    client.get(url)
    # Session, user, second-factor session check, groups, station, amenity rows, history,
    # open corrections: the same for 2 of each as for 8.
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.content.decode().count('class="console-amenity') == count


def test_console_shows_only_the_latest_changes(client, managed, station_manager):
    from stations.console import RECENT_CHANGES
    from stations.services import station_check

    for _ in range(RECENT_CHANGES + 3):
        station_check(station=managed, actor=station_manager)
    station_parking_report(station=managed, level="full", source="station", actor=station_manager)
    client.force_login(station_manager)
    body = client.get(reverse("stations:console-station", kwargs={"slug": "qisha"})).content
    history = body.decode().split('class="history"')[1].split("</ul>")[0]
    assert history.count("<li>") == RECENT_CHANGES
    assert history.index("已满") < history.index("已核实")  # newest first
