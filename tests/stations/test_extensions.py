"""Stations works alone: other apps only add to its pages through stations.extensions."""

import json

import pytest
from django.urls import reverse

from stations import extensions


@pytest.fixture
def nothing_registered(monkeypatch):
    monkeypatch.setattr(extensions, "_panels", {"actions": [], "sections": []})
    monkeypatch.setattr(extensions, "_feed_properties", [])


def test_station_page_and_feed_work_with_nothing_registered(
    client, station, make_event, nothing_registered
):
    make_event(station=station, title="站点活动")
    html = client.get(reverse("stations:detail", args=[station.slug])).content.decode()
    assert station.name in html
    assert "站点活动" not in html
    assert reverse("helpdesk:form") + "?station=" not in html
    feed = json.loads(client.get(reverse("stations-feed")).content)
    assert "next_event" not in feed["features"][0]["properties"]


def test_registered_apps_add_their_panels_and_feed_properties(client, station, make_event):
    make_event(station=station, title="站点活动")
    html = client.get(reverse("stations:detail", args=[station.slug])).content.decode()
    assert "站点活动" in html
    assert reverse("helpdesk:form") + f"?station={station.slug}" in html
    feed = json.loads(client.get(reverse("stations-feed")).content)
    assert feed["features"][0]["properties"]["next_event"]["title"] == "站点活动"


def test_a_panel_receives_its_data(client, station, nothing_registered):
    extensions.register_panel("sections", "stations/_status.html", lambda s: s.name)
    assert extensions.panels_for(station)["sections"][0].data == station.name
    response = client.get(reverse("stations:detail", args=[station.slug]))
    assert response.status_code == 200


def test_feed_properties_from_several_providers_are_merged(station, nothing_registered):
    extensions.register_feed_properties(lambda ids: {pk: {"a": 1} for pk in ids})
    extensions.register_feed_properties(lambda ids: {pk: {"b": 2} for pk in ids})
    assert extensions.feed_properties([station.pk]) == {station.pk: {"a": 1, "b": 2}}
