"""The live-station parts show no personal data on public pages or the feed: no manager's
or helper's name, no reporting driver's address, no member's phone."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.roles import HELP_HANDLERS
from members.models import Person
from stations.models import StationAmenity
from stations.reports import DriverParkingForm
from tests.crawl import crawl_public

pytestmark = pytest.mark.django_db

DRIVER_ADDRESS = "198.51.100.77"


def test_public_pages_and_feed_show_no_person_behind_a_live_station(
    client, make_station, make_user, station_manager, branch_a, settings
):
    settings.HELP_MIN_FILL_SECONDS = 0
    cache.clear()
    station_manager.first_name, station_manager.last_name = "Jianguo", "Zhaomanager"
    station_manager.email = "zhao.manager@example.org"
    station_manager.save()
    helper = make_user(
        "helper_qian", HELP_HANDLERS, [branch_a], first_name="Qianhelper", email="qian@example.org"
    )
    member = Person.objects.create(name="孙党员", phone="13912345678", organisation=branch_a)
    station = make_station(
        name="七沙司机之家",
        slug="qisha",
        helper_user=helper,
        helper_team="七沙站服务队",
        vanguard_post=True,
        vanguard_hours="08:00–20:00",
        vanguard_phone="07702800123",
        amenities=["hot_water"],
    )
    station.managers.add(station_manager)

    client.force_login(station_manager)
    row = StationAmenity.objects.get(station=station)
    actions = [
        ("amenity", {"row": row.pk, "live_status": "limited"}),
        ("parking", {"level": "few", "free_spaces": "4"}),
        ("checked", {}),
    ]
    for action, data in actions:
        url = reverse("stations:console-action", kwargs={"slug": "qisha", "action": action})
        assert client.post(url, data).status_code == 302
    client.logout()
    token = DriverParkingForm().initial["token"]
    response = client.post(
        reverse("stations:parking-report", kwargs={"slug": "qisha"}),
        {"token": token, "website": "", "level": "full"},
        REMOTE_ADDR=DRIVER_ADDRESS,
    )
    assert response.status_code == 302

    pages = crawl_public(
        client,
        start=[
            station.get_absolute_url(),
            "/en" + station.get_absolute_url(),
            "/vi" + station.get_absolute_url(),
            reverse("stations:list"),
            reverse("stations:parking-report", kwargs={"slug": "qisha"}),
            reverse("stations:correction", kwargs={"slug": "qisha"}),
            "/stations.geojson",
        ],
        limit=200,
    )
    text = "\n".join(pages.values())
    assert "七沙站服务队" in text and "07702800123" in text  # what may be shown is shown
    secrets = [
        "Zhaomanager",
        "zhao.manager@example.org",
        station_manager.username,
        "Qianhelper",
        "qian@example.org",
        helper.username,
        DRIVER_ADDRESS,
        member.name,
        member.phone,
        member.phone[-8:],
    ]
    leaks = [(url, value) for url, page in pages.items() for value in secrets if value in page]
    assert leaks == []
