"""The help form's station: a search step instead of a list of every station.

Without JavaScript the driver types a name (or shares the position) and presses "Search
stations": the form comes back as typed with a few stations to pick from, nearest first
when the position is known. The form weighs the same at 60 stations and at 100,000.
"""

import gzip
import random
import re

import pytest
from django.urls import reverse

from helpdesk.forms.requests import HelpRequestForm
from helpdesk.models import HelpRequest
from stations.models import Station
from tests.stations.test_nearby_scale import insert_stations

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_forms")]


def typed(**overrides):
    data = {
        "token": HelpRequestForm.new_token(),
        "category": "breakdown",
        "description": "Engine failed near the port",
        "phone": "138 0000 1234",
        "name": "老王",
        "station": "",
        "station_q": "",
        "latitude": "",
        "longitude": "",
        "location_text": "",
        "urgent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def radios(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="station" value="([^"]*)"', html)


def test_search_step_offers_matches_and_keeps_what_was_typed(client, make_station):
    make_station("东兴口岸司机之家", slug="dongxing")
    make_station("港口司机之家", slug="port")
    data = typed(station_q="东兴", find_station="1")
    response = client.post(reverse("helpdesk:form"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert radios(html) == ["dongxing", ""]
    assert re.search(r'value="dongxing"[^>]* checked', html)
    # What the driver typed is still there, the token (and its fill time) too; nothing sent.
    assert "Engine failed near the port" in html and 'value="老王"' in html
    assert f'value="{data["token"]}"' in html
    assert 'name="urgent" checked' in html or re.search(r'name="urgent"[^>]*checked', html)
    assert not HelpRequest.objects.exists()


def test_search_step_with_a_position_lists_nearest_first(client, make_station):
    make_station("远站", slug="far", latitude=21.90, longitude=108.36)
    make_station("近站", slug="near", latitude=21.581, longitude=108.361)
    make_station("中站", slug="middle", latitude=21.70, longitude=108.36)
    html = client.post(
        reverse("helpdesk:form"),
        typed(latitude="21.580", longitude="108.360", find_station="1"),
    ).content.decode()
    assert radios(html) == ["near", "middle", "far", ""]
    assert "近站 · 1" in html  # with its distance


def test_search_step_without_matches_says_so(client, make_station):
    make_station("港口司机之家", slug="port")
    html = client.post(
        reverse("helpdesk:form"), typed(station_q="不存在的地方", find_station="1")
    ).content.decode()
    assert radios(html) == []
    assert "没有找到" in html


def test_picked_station_is_sent(client, make_station):
    station = make_station("港口司机之家", slug="port")
    response = client.post(reverse("helpdesk:form"), typed(station="port"))
    assert response.status_code == 302
    assert HelpRequest.objects.get().station == station


@pytest.mark.parametrize("slug", ["no-such-station", "bad slug", "a\x00b"])
def test_unknown_station_is_a_form_error_that_loses_nothing(client, make_station, slug):
    make_station("港口司机之家", slug="port")
    response = client.post(reverse("helpdesk:form"), typed(station=slug))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html
    assert "Engine failed near the port" in html
    assert not HelpRequest.objects.exists()


def test_search_step_costs_the_same_queries_at_any_count(
    client, make_station, django_assert_max_num_queries
):
    for index in range(30):
        make_station(f"港口站{index}", latitude=21.58 + index * 0.001, longitude=108.36)
    with django_assert_max_num_queries(3):
        client.post(
            reverse("helpdesk:form"),
            typed(station_q="港口", latitude="21.58", longitude="108.36", find_station="1"),
        )


def compressed_size(client, url) -> int:
    html = client.get(url).content
    # The per-render token and CSRF token differ in every response; their length does not.
    return len(gzip.compress(html))


@pytest.mark.slow
def test_help_form_weighs_the_same_at_60_and_at_100k_stations(client, make_station):
    url = reverse("helpdesk:form")
    rng = random.Random(60)
    for index in range(60):
        make_station(f"站{index}", latitude=rng.uniform(21.3, 22.5), longitude=108.0)
    at_60 = compressed_size(client, url)
    insert_stations(100_000 - 60, rng)
    assert Station.objects.count() == 100_000
    at_100k = compressed_size(client, url)
    assert abs(at_100k - at_60) <= 0.1 * at_60, (at_60, at_100k)


def test_enter_in_a_field_sends_rather_than_searches(client):
    # Browsers press the form's first submit button on Enter: it must be "Send".
    html = client.get(reverse("helpdesk:form")).content.decode()
    form = html[html.index('<form method="post"') :]
    first = re.search(r"<button[^>]*>", form).group(0)
    assert 'type="submit"' in first and "find_station" not in first
    assert form.index('name="find_station"') < form.index('id="send-help"')
