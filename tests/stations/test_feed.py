"""The GeoJSON feed: RFC 7946 shape, axis order, revalidation, no hidden stations."""

import json

from django.urls import reverse

from stations import geo
from stations.models import Station


def get_feed(client, **headers):
    return client.get(reverse("stations-feed"), headers=headers)


def test_feed_is_a_feature_collection_in_lon_lat_order(client, make_station):
    make_station(
        "坐标站",
        slug="zuobiao",
        latitude=21.123456789,
        longitude=108.987654321,
        amenities=["showers", "hot_water"],
        kind=Station.Kind.DRIVER_HOME,
    )
    response = get_feed(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    assert feature["type"] == "Feature"
    # Longitude first, at most 7 decimals.
    assert feature["geometry"] == {"type": "Point", "coordinates": [108.9876543, 21.1234568]}
    props = feature["properties"]
    assert props["name"] == "坐标站"
    assert props["slug"] == "zuobiao"
    assert props["kind"] == "driver_home"
    assert props["amenities"] == ["showers", "hot_water"]
    assert props["open_now"] is True
    assert props["url"] == "/stations/zuobiao/"
    assert "display" not in props
    assert "managers" not in json.dumps(data)


def test_feed_leaves_out_unpublished_and_retired(client, make_station):
    make_station("公开", slug="open-one")
    make_station("草稿", published=False)
    make_station("撤销", status=Station.Status.RETIRED)
    data = json.loads(get_feed(client).content)
    assert [f["properties"]["slug"] for f in data["features"]] == ["open-one"]


def test_feed_revalidates_with_etag(client, make_station):
    station = make_station()
    first = get_feed(client)
    # No Last-Modified: it would take an aggregate over every station on each request.
    assert first["ETag"] and not first.has_header("Last-Modified")
    again = get_feed(client, if_none_match=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    station.name = "改名了"
    station.save()
    changed = get_feed(client, if_none_match=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_compressed_feed_is_smaller_and_still_revalidates(client, make_station):
    for number in range(30):
        make_station(latitude=21.5 + number / 100, amenities=["showers", "hot_water"])
    plain = get_feed(client)
    packed = get_feed(client, accept_encoding="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) * 3 < len(plain.content)
    # GZip weakens the tag; a phone sends it back as it got it and still gets a 304.
    assert packed["ETag"].startswith('W/"')
    again = get_feed(client, accept_encoding="gzip", if_none_match=packed["ETag"])
    assert again.status_code == 304


def test_feed_query_count_is_constant(client, make_station, django_assert_num_queries):
    for _ in range(10):
        make_station(amenities=["showers", "wifi"])
    # Amenity choices (the filters), stations, amenity rows, opening hours, next events.
    with django_assert_num_queries(5):
        assert get_feed(client).status_code == 200


def test_feed_carries_display_points_on_gcj02_tiles(client, make_station, settings):
    settings.MAP_TILES_CRS = "gcj02"
    make_station("港口", slug="port", latitude=21.58, longitude=108.36)
    make_station("芒街", slug="mong-cai", latitude=21.5246, longitude=107.966)
    features = {f["id"]: f for f in json.loads(get_feed(client).content)["features"]}
    lat, lng = geo.wgs84_to_gcj02(21.58, 108.36)
    assert features["port"]["properties"]["display"] == [round(lng, 7), round(lat, 7)]
    # The geometry itself stays WGS-84.
    assert features["port"]["geometry"]["coordinates"] == [108.36, 21.58]
    assert features["mong-cai"]["properties"]["display"] == [107.966, 21.5246]
