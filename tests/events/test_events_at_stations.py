"""A station's page and the map's feed show the events held there."""

import json

from events.models import Event


def test_station_page_lists_its_upcoming_events(client, make_station, make_event):
    station = make_station()
    make_event("港口夏送清凉", station=station, place="")
    make_event(
        "已取消的培训", station=station, place="", status=Event.Status.CANCELLED, status_note="台风"
    )
    make_event("别处的活动", days=2)
    html = client.get(station.get_absolute_url()).content.decode()
    assert "港口夏送清凉" in html
    assert "已取消的培训" in html and "已取消" in html
    assert "别处的活动" not in html


def test_station_page_query_count_stays_constant_with_events(
    client, make_station, make_event, django_assert_num_queries
):
    station = make_station(amenities=["showers"])
    for day in range(1, 6):
        make_event(f"活动{day}", station=station, place="", days=day)
    with django_assert_num_queries(5):
        assert client.get(station.get_absolute_url()).status_code == 200


def test_feed_carries_each_stations_next_event(client, make_station, make_event):
    busy = make_station()
    quiet = make_station()
    make_event("第二场", station=busy, place="", days=5)
    first = make_event("第一场", station=busy, place="", days=1)
    features = {
        feature["properties"]["slug"]: feature["properties"]
        for feature in json.loads(client.get("/stations.geojson").content)["features"]
    }
    assert features[busy.slug]["next_event"]["title"] == "第一场"
    assert features[busy.slug]["next_event"]["url"] == first.get_absolute_url()
    assert "next_event" not in features[quiet.slug]
