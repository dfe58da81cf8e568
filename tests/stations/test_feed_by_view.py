"""The GeoJSON feed by view: bounding box and zoom, stations near a point, the capped
default, the cached full export; nothing grows with the number of stations."""

import gzip
import json
import random

import pytest
from django.urls import reverse

from stations import feeds
from stations.models import Station

FEED = "/stations.geojson"
# The demo area (bench/stations.py spreads its stations over it).
LAT_RANGE, LNG_RANGE = (21.3, 22.5), (107.6, 108.9)


def get(client, **params):
    return client.get(FEED, params)


def collection(client, **params):
    response = get(client, **params)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def stations_in(data):
    return sum(f["properties"].get("count", 1) for f in data["features"])


def bulk_stations(count, seed=16, start=0):
    """``count`` published stations spread over the demo area, in a few statements."""
    rng = random.Random(seed)
    Station.objects.bulk_create(
        Station(
            name=f"批量站{start + number}",
            slug=f"bulk-{start + number}",
            latitude=rng.uniform(*LAT_RANGE),
            longitude=rng.uniform(*LNG_RANGE),
            published=True,
            open_24h=True,
        )
        for number in range(count)
    )


def test_bbox_sends_the_stations_inside_and_none_outside(client, make_station):
    make_station("里面", slug="inside", latitude=21.60, longitude=108.35)
    make_station("西边", slug="west", latitude=21.60, longitude=108.10)
    make_station("北边", slug="north", latitude=21.90, longitude=108.35)
    make_station("草稿", slug="draft", latitude=21.61, longitude=108.36, published=False)
    data = collection(client, bbox="108.2,21.5,108.5,21.7", zoom=16)
    assert [f["id"] for f in data["features"]] == ["inside"]
    # The station's full properties, as in the feed without a box.
    props = data["features"][0]["properties"]
    assert props["url"] == "/stations/inside/" and props["name"] == "里面"
    assert data["bbox"] == [108.2, 21.5, 108.5, 21.7]


def test_adjacent_boxes_send_a_station_on_their_edge_once(client, make_station):
    make_station(slug="edge", latitude=21.5, longitude=108.25)
    south = collection(client, bbox="108.0,21.25,108.5,21.5", zoom=16)
    north = collection(client, bbox="108.0,21.5,108.5,21.75", zoom=16)
    assert len(south["features"]) + len(north["features"]) == 1


def test_low_zoom_groups_nearby_stations_into_clusters_with_their_extent(client, make_station):
    for number in range(5):
        make_station(slug=f"port-{number}", latitude=21.58 + number * 0.001, longitude=108.36)
    make_station(slug="alone", latitude=22.15, longitude=107.98)
    data = collection(client, bbox="107.5,21.0,109.0,22.5", zoom=9)
    by_kind = {f["id"]: f for f in data["features"]}
    assert "alone" in by_kind
    (cluster,) = [f for f in data["features"] if f["properties"].get("cluster")]
    assert cluster["properties"]["count"] == 5
    west, south, east, north = cluster["properties"]["bounds"]
    assert (south, north) == (21.58, 21.584) and west == east == 108.36
    assert cluster["id"].startswith("cluster/9/")
    # Zoomed in, the same stations come one by one.
    close = collection(client, bbox="108.35,21.57,108.37,21.59", zoom=16)
    assert sorted(f["id"] for f in close["features"]) == [f"port-{n}" for n in range(5)]


def test_every_station_in_the_box_is_counted_once_at_every_zoom(client, db):
    bulk_stations(400)
    box = "107.5,21.0,109.0,22.5"
    for zoom in (6, 8, 9, 10, 12):
        data = collection(client, bbox=box, zoom=zoom)
        assert stations_in(data) == 400, zoom
        ids = [f["id"] for f in data["features"]]
        assert len(ids) == len(set(ids))


def test_a_box_too_large_for_its_zoom_is_answered_at_a_lower_zoom(client, make_station):
    make_station()
    data = collection(client, bbox="100,15,115,30", zoom=15)
    assert data["zoom"] == feeds.effective_zoom((100, 15, 115, 30), 15) < 15
    assert 15 / feeds.cell_degrees(data["zoom"]) <= feeds.MAX_CELLS_PER_SIDE


def test_amenity_filter_applies_to_the_box(client, make_station):
    make_station(slug="showers", amenities=["showers"])
    make_station(slug="dry", latitude=21.601)
    data = collection(client, bbox="108.3,21.55,108.4,21.65", zoom=16, amenity="showers")
    assert [f["id"] for f in data["features"]] == ["showers"]


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "108,21,109", "zoom": "9"},
        {"bbox": "109,21,108,22", "zoom": "9"},
        {"bbox": "a,b,c,d", "zoom": "9"},
        {"bbox": "108,21,109,22"},
        {"bbox": "108,21,109,22", "zoom": "99"},
        {"bbox": "nan,21,109,22", "zoom": "9"},
        {"near": "21.6"},
        {"near": "21.6,\x00108"},
        {"near": "21.6,108.3", "bbox": "108,21,109,22", "zoom": "9"},
        {"amenity": "no-such-thing"},
    ],
)
def test_bad_parameters_answer_400_with_a_reason(client, make_station, params):
    make_station()
    response = get(client, **params)
    assert response.status_code == 400
    errors = json.loads(response.content)["errors"]
    assert errors and all(message["message"] for field in errors.values() for message in field)


def test_bad_parameters_are_explained_in_the_visitors_language(client, db):
    response = client.get(FEED, {"bbox": "1,2"}, headers={"accept-language": "zh-hans"})
    assert "逗号" in json.loads(response.content)["errors"]["bbox"][0]["message"]


def test_near_sends_the_nearest_stations_nearest_first(client, make_station):
    make_station(slug="far", latitude=21.70, longitude=108.35)
    make_station(slug="near", latitude=21.61, longitude=108.35)
    response = get(client, near="21.6,108.35")
    assert response["Referrer-Policy"] == "no-referrer"
    ids = [f["id"] for f in json.loads(response.content)["features"]]
    assert ids == ["near", "far"]


def test_default_feed_is_capped_and_points_to_the_export(client, db, settings):
    bulk_stations(30)
    assert "truncated" not in collection(client)
    capped = 10
    original = feeds.FIRST_COUNT
    feeds.FIRST_COUNT = capped
    try:
        data = collection(client)
    finally:
        feeds.FIRST_COUNT = original
    assert len(data["features"]) == capped
    assert data["truncated"] is True and data["export"] == reverse("stations-export")


def test_feed_query_count_does_not_grow_with_the_stations(
    client, make_station, django_assert_num_queries
):
    box = {"bbox": "107.5,21.0,109.0,22.5", "zoom": 9}
    for number in range(4):
        make_station(latitude=21.5 + number * 0.2, amenities=["showers"])
    # Amenity choices, the grid, single stations, their amenity rows, hours, next events.
    with django_assert_num_queries(6):
        assert get(client, **box).status_code == 200
    for number in range(40):
        make_station(latitude=21.4 + number * 0.02, longitude=108.0 + number * 0.01)
    with django_assert_num_queries(6):
        assert get(client, **box).status_code == 200


def test_feed_answers_stay_small_at_twenty_thousand_stations(client, db):
    bulk_stations(20_000)
    sizes = {}
    # The whole area at the zoom a phone opens it, a wide box at street zoom, a street
    # view, the stations around a point and the default.
    for name, params in {
        "area": {"bbox": "107.5,21.0,109.0,22.5", "zoom": 9},
        "wide box": {"bbox": "100,15,115,30", "zoom": 15},
        "street": {"bbox": "108.3,21.6,108.32,21.62", "zoom": 17},
        "near": {"near": "21.6,108.35"},
        "default": {},
    }.items():
        response = get(client, **params)
        assert response.status_code == 200
        data = json.loads(response.content)
        assert len(data["features"]) <= max(feeds.FIRST_COUNT, (feeds.MAX_CELLS_PER_SIDE + 1) ** 2)
        sizes[name] = len(gzip.compress(response.content))
    assert sizes["area"] < 16 * 1024, sizes
    assert sizes["wide box"] < 16 * 1024, sizes
    assert sizes["near"] < 16 * 1024, sizes
    # The default is capped, not all 20,000 (about 1.5 MB).
    assert sizes["default"] < 64 * 1024, sizes


def test_map_page_weighs_the_same_at_twenty_thousand_stations_as_at_sixty(client, db):
    def weight():
        html = client.get(reverse("stations:map")).content
        first = json.loads(html.split(b'id="map-data" type="application/json">')[1].split(b"<")[0])
        feed = client.get(first["initial"]["url"]).content
        return len(gzip.compress(html)), len(gzip.compress(feed))

    from django.core.cache import cache

    bulk_stations(60)
    small_page, small_feed = weight()
    bulk_stations(20_000 - 60, seed=17, start=60)
    cache.clear()
    large_page, large_feed = weight()
    print("map page, first view (gzip bytes):", (small_page, small_feed), (large_page, large_feed))
    assert abs(large_page - small_page) <= small_page * 0.1, (small_page, large_page)
    # The first view's stations: bounded by the grid, not by the station count.
    assert large_feed < 16 * 1024, (small_feed, large_feed)


def test_export_is_every_station_as_a_cached_download(
    client, make_station, django_assert_max_num_queries
):
    for number in range(3):
        make_station(slug=f"all-{number}", latitude=21.5 + number)
    response = client.get(reverse("stations-export"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="stations.geojson"'
    data = json.loads(response.content)
    assert sorted(f["id"] for f in data["features"]) == ["all-0", "all-1", "all-2"]
    # Built once: a repeat reads the version and the cached body.
    with django_assert_max_num_queries(2):
        again = client.get(reverse("stations-export"), headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    # A change shows at once.
    Station.objects.filter(slug="all-0").update(name="改名")
    Station.objects.get(slug="all-0").save()
    changed = json.loads(client.get(reverse("stations-export")).content)
    assert "改名" in [f["properties"]["name"] for f in changed["features"]]


def test_clusters_carry_where_to_draw_them_on_gcj02_tiles(client, make_station, settings):
    from stations import geo

    settings.MAP_TILES_CRS = "gcj02"
    for number in range(3):
        make_station(latitude=21.58 + number * 0.001, longitude=108.36)
    (cluster,) = collection(client, bbox="107.5,21.0,109.0,22.5", zoom=9)["features"]
    lng, lat = cluster["geometry"]["coordinates"]
    # The geometry stays WGS-84; display and display_bounds are shifted for the tiles.
    assert (round(lat, 3), lng) == (21.581, 108.36)
    dlat, dlng = geo.wgs84_to_gcj02(lat, lng)
    assert cluster["properties"]["display"] == pytest.approx([dlng, dlat], abs=1e-6)
    west, south, east, north = cluster["properties"]["display_bounds"]
    assert south < dlat < north and west <= dlng <= east and west > 108.36
