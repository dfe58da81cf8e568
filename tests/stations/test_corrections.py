"""Drivers' corrections: the public form, the queue in the console and the admin, and
who may see it (the managers of that station and admins, nobody else)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.roles import STATION_MANAGERS
from stations.corrections import CorrectionForm
from stations.models import StationAmenity, StationChange, StationCorrection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_forms(settings):
    settings.HELP_MIN_FILL_SECONDS = 0
    cache.clear()


@pytest.fixture
def managed(make_station, station_manager):
    station = make_station(
        name="七沙司机之家", slug="qisha", phone="07702800001", amenities=["hot_water"]
    )
    station.managers.add(station_manager)
    return station


def send(client, station, ip="10.0.0.1", **data):
    form = CorrectionForm(station=station)
    payload = {"token": form.initial["token"], "website": "", **data}
    return client.post(
        reverse("stations:correction", kwargs={"slug": station.slug}), payload, REMOTE_ADDR=ip
    )


def test_station_page_links_to_the_correction_form(client, managed):
    body = client.get(managed.get_absolute_url()).content.decode()
    assert reverse("stations:correction", kwargs={"slug": "qisha"}) in body
    page = client.get(reverse("stations:correction", kwargs={"slug": "qisha"}))
    assert page.status_code == 200 and 'id="use-location"' in page.content.decode()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"kind": "hours", "text": "现在7点开门"}, {"kind": "hours", "text": "现在7点开门"}),
        ({"kind": "closed_for_good"}, {"kind": "closed_for_good"}),
        ({"kind": "phone", "phone": "0770-2800009"}, {"phone": "07702800009"}),
        ({"kind": "amenity_out", "amenity": "hot_water"}, {"kind": "amenity_out"}),
        ({"kind": "amenity_missing", "amenity": "showers"}, {"kind": "amenity_missing"}),
        (
            {"kind": "position", "latitude": "21.5512345", "longitude": "108.5012345"},
            {"latitude": 21.55123, "longitude": 108.50123},
        ),
    ],
)
def test_each_kind_of_correction_is_queued(client, managed, data, expected):
    response = send(client, managed, **data)
    assert response.status_code == 302
    correction = StationCorrection.objects.get()
    for field, value in expected.items():
        assert getattr(correction, field) == value
    assert correction.state == "open"


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "phone", "phone": ""},
        {"kind": "phone", "phone": "not a phone"},
        {"kind": "position"},
        {"kind": "position", "latitude": "95", "longitude": "108"},
        {"kind": "position", "latitude": "nan", "longitude": "108"},
        {"kind": "amenity_out"},
        {"kind": "bogus"},
        {"kind": "hours", "text": "x" * 501},
        {"kind": "hours", "website": "spam"},
    ],
)
def test_bad_corrections_are_400_and_store_nothing(client, managed, data):
    assert send(client, managed, **data).status_code == 400
    assert not StationCorrection.objects.exists()


def test_corrections_share_the_drivers_rate_limits(client, managed, settings):
    settings.STATION_REPORT_RATE_PER_IP = "2/600"
    codes = [send(client, managed, kind="closed_for_good").status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert StationCorrection.objects.count() == 2


@pytest.fixture
def others(make_user, organizer, dispatcher, help_handler):
    return {
        "other manager": make_user("other_manager", STATION_MANAGERS),
        "organizer": organizer,
        "dispatcher": dispatcher,
        "help handler": help_handler,
    }


def test_a_correction_reaches_only_that_stations_managers_and_admins(
    client, managed, others, station_manager, superuser
):
    send(client, managed, kind="hours", text="周日不开门")
    correction = StationCorrection.objects.get()
    console = reverse("stations:console-station", kwargs={"slug": "qisha"})
    accept = reverse("stations:correction-action", kwargs={"pk": correction.pk, "action": "accept"})
    admin_list = reverse("admin:stations_stationcorrection_changelist")

    assert client.post(accept).status_code == 302  # anonymous: to the sign-in page
    for name, user in others.items():
        assert not StationCorrection.objects.visible_to(user).exists(), name
        client.force_login(user)
        assert client.get(console).status_code == 404, name
        assert client.post(accept).status_code == 404, name
        admin_page = client.get(admin_list)
        assert "周日不开门" not in admin_page.content.decode(), name
    correction.refresh_from_db()
    assert correction.state == "open"

    client.force_login(station_manager)
    assert "周日不开门" in client.get(console).content.decode()
    client.force_login(superuser)
    assert "七沙司机之家" in client.get(admin_list).content.decode()
    assert "周日不开门" in client.get(console).content.decode()


def test_accepting_applies_the_change_and_moves_last_verified(client, managed, station_manager):
    send(client, managed, kind="phone", phone="07702800009")
    send(client, managed, kind="amenity_out", amenity="hot_water", text="坏了")
    send(client, managed, kind="hours", text="7点开门")
    client.force_login(station_manager)
    for correction in StationCorrection.objects.order_by("pk"):
        url = reverse(
            "stations:correction-action", kwargs={"pk": correction.pk, "action": "accept"}
        )
        assert client.post(url).status_code == 302
    managed.refresh_from_db()
    assert managed.phone == "07702800009" and managed.last_verified is not None
    row = StationAmenity.objects.get(station=managed)
    assert row.live_status == "out_of_order"
    assert set(StationCorrection.objects.values_list("state", flat=True)) == {"accepted"}
    assert StationChange.objects.filter(kind="correction").count() == 3
    # Accepting twice changes nothing more.
    first = StationCorrection.objects.order_by("pk").first()
    client.post(reverse("stations:correction-action", kwargs={"pk": first.pk, "action": "accept"}))
    assert StationChange.objects.filter(kind="correction").count() == 3


def test_dismissing_needs_a_reason(client, managed, station_manager):
    send(client, managed, kind="closed_for_good")
    correction = StationCorrection.objects.get()
    client.force_login(station_manager)
    url = reverse("stations:correction-action", kwargs={"pk": correction.pk, "action": "dismiss"})
    client.post(url, {"reason": ""})
    correction.refresh_from_db()
    assert correction.state == "open"
    client.post(url, {"reason": "我们还在营业"})
    correction.refresh_from_db()
    assert (correction.state, correction.reason, correction.handled_by) == (
        "dismissed",
        "我们还在营业",
        station_manager,
    )
    managed.refresh_from_db()
    assert managed.status == "open" and managed.last_verified is None


def test_open_corrections_are_counted_for_admins_and_managers(
    client, managed, station_manager, superuser
):
    for _ in range(2):
        send(client, managed, kind="closed_for_good")
    client.force_login(superuser)
    body = client.get(reverse("admin:stations_station_changelist")).content.decode()
    assert 'class="field-open_corrections">2<' in body
    client.force_login(station_manager)
    body = client.get(reverse("stations:console")).content.decode()
    assert "2条纠错待核实" in body


def test_admins_see_the_stations_history(client, managed, station_manager, superuser):
    from stations.services import station_close

    station_close(station=managed, reason="道路施工历史", actor=station_manager)
    client.force_login(superuser)
    url = reverse("admin:stations_station_change", args=[managed.pk])
    body = client.get(url).content.decode()
    history = body.split('id="changes-group"')[1]
    assert "道路施工历史" in history and station_manager.username in history
