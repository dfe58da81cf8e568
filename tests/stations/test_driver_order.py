"""Station lists in the order a driver reads the road, not by character code."""

import pytest
from django.db import connection
from django.urls import reverse

from stations.models import Station

pytestmark = pytest.mark.django_db

G228, G219, OTHER = Station.Route.G228, Station.Route.G219, Station.Route.OTHER


def names(response) -> list[str]:
    return [station.name for station in response.context["stations"]]


@pytest.fixture
def road(make_station):
    """Stations whose names sort by character code in none of the driver's orders."""
    make_station("企沙站", route=G228, latitude=21.55, longitude=108.50)
    make_station("江平站", route=G228, latitude=21.56, longitude=108.05)
    make_station("港口站", route=G228, latitude=21.62, longitude=108.33)
    make_station("上思站", route=G219, latitude=22.15, longitude=107.98)
    make_station("那梭站", route=G219, latitude=21.86, longitude=108.06)
    make_station("东兴市区站", route=OTHER, district=Station.District.DONGXING, latitude=21.54)
    make_station("渔澫站", route=OTHER, district=Station.District.GANGKOU, latitude=21.60)


EXPECTED = [
    # G228 from the Dongxing crossing eastwards along the coast.
    "江平站",
    "港口站",
    "企沙站",
    # G219 from Dongxing northwards.
    "那梭站",
    "上思站",
    # Other roads by district (Gangkou, Fangcheng, Dongxing, Shangsi).
    "渔澫站",
    "东兴市区站",
]


def test_station_list_follows_the_roads(client, road):
    response = client.get(reverse("stations:list"))
    assert names(response) == EXPECTED
    assert sorted(EXPECTED) != EXPECTED


def test_driver_order_queryset(road):
    assert [s.name for s in Station.objects.published().in_driver_order()] == EXPECTED


def test_names_last_within_a_district(make_station):
    # On PostgreSQL the ICU collation sorts by pinyin (an, bei, dong); SQLite keeps
    # code-point order (东 U+4E1C, 北 U+5317, 安 U+5B89).
    for name in ("东站", "安站", "北站"):
        make_station(name, route=OTHER, district=Station.District.GANGKOU)
    found = [s.name for s in Station.objects.in_driver_order()]
    if connection.vendor == "postgresql":
        assert found == ["安站", "北站", "东站"]
    else:
        assert found == ["东站", "北站", "安站"]


def test_help_form_station_search_follows_the_roads(client, road):
    import re

    from helpdesk.forms.requests import HelpRequestForm

    data = {"token": HelpRequestForm.new_token(), "station_q": "站", "find_station": "1"}
    html = client.post(reverse("helpdesk:form"), data).content.decode()
    slugs = re.findall(r'<input type="radio" name="station" value="([^"]+)"', html)
    by_slug = dict(Station.objects.values_list("slug", "name"))
    assert [by_slug[slug] for slug in slugs] == EXPECTED
