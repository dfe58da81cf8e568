"""Positions along route lines: road distances against shapely, the ahead query against a
brute force, and the edge cases of issue 14."""

import json
import math
import random

import pytest
from shapely.geometry import LineString, Point

from stations import demo
from stations.models import RouteLine, Station, StationRoutePosition
from stations.road.geometry import Line
from stations.road.querysets import AT_STATION_M
from stations.road.services import (
    route_line_positions_rebuild,
    station_route_positions_update,
)

from .road_fixtures import LINES, along_the_lines, make_line

R = 6_371_008.8


def plane(coordinates):
    """An independent projection: equirectangular metres at the line's mean latitude."""
    lat_ref = math.radians(sum(lat for _lng, lat in coordinates) / len(coordinates))

    def to_xy(lng, lat):
        return (R * math.radians(lng) * math.cos(lat_ref), R * math.radians(lat))

    return LineString([to_xy(lng, lat) for lng, lat in coordinates]), to_xy


@pytest.mark.parametrize("code", ["G228", "G219"])
def test_road_distances_match_shapely_within_half_a_percent(code):
    coordinates = LINES[code]
    line = Line(coordinates)
    reference, to_xy = plane(coordinates)
    assert line.length_m == pytest.approx(reference.length, rel=0.005)
    rng = random.Random(code)
    for _ in range(200):
        points = []
        for _side in range(2):
            lng, lat = demo._along(coordinates, rng.random())
            points.append((lat + rng.uniform(-0.01, 0.01), lng + rng.uniform(-0.01, 0.01)))
        ours = abs(line.project(*points[0]).along_m - line.project(*points[1]).along_m)
        theirs = abs(
            reference.project(Point(to_xy(points[0][1], points[0][0])))
            - reference.project(Point(to_xy(points[1][1], points[1][0])))
        )
        # Within 0.5 %, or a few metres where two points project almost together.
        assert ours == pytest.approx(theirs, rel=0.005, abs=5)


def brute_force(route, lat, lng, towards_end, max_offset=2000):
    """Every published station projected in Python, ahead of the driver, in road order."""
    line = Line(route.geometry["coordinates"])
    here = line.project(lat, lng).along_m
    rows = []
    for station in Station.objects.published():
        p = line.project(station.latitude, station.longitude)
        if p.offset_m > max_offset:
            continue
        ahead = (
            p.along_m >= here - AT_STATION_M if towards_end else p.along_m <= here + AT_STATION_M
        )
        if ahead:
            rows.append((p.along_m if towards_end else -p.along_m, station.pk, station.slug))
    return [slug for _key, _pk, slug in sorted(rows)], here


@pytest.mark.django_db
def test_fifty_random_positions_on_both_routes_and_directions_equal_a_brute_force(make_station):
    along_the_lines(make_station, per_line=20)
    rng = random.Random(50)
    for route in RouteLine.objects.all():
        coordinates = route.geometry["coordinates"]
        for _ in range(50):
            lng, lat = demo._along(coordinates, rng.random())
            lat, lng = lat + rng.uniform(-0.005, 0.005), lng + rng.uniform(-0.005, 0.005)
            for towards_end in (True, False):
                expected, here = brute_force(route, lat, lng, towards_end)
                got = Station.objects.published().ahead(
                    route_id=route.pk, along_m=here, towards_end=towards_end, max_offset_m=2000
                )
                assert [s.slug for s in got] == expected


@pytest.mark.django_db
def test_stations_far_from_every_line_have_no_position(make_station):
    along_the_lines(make_station, per_line=3, off_route=2)
    far = Station.objects.filter(name__startswith="港区站")
    assert not StationRoutePosition.objects.filter(station__in=far).exists()
    assert StationRoutePosition.objects.filter(offset_m__gt=2000).count() == 0
    assert StationRoutePosition.objects.count() >= 6


@pytest.mark.django_db
def test_max_offset_is_configurable(make_station, settings):
    route = make_line("G228", demo.G228)
    # About 1.1 km north of the line's last stretch.
    station = make_station("一公里外", latitude=21.56, longitude=108.02)
    station_route_positions_update(station=station)
    assert StationRoutePosition.objects.filter(station=station, route=route).exists()
    settings.ROUTE_MAX_OFFSET_M = 500
    route_line_positions_rebuild(route=route)
    assert not StationRoutePosition.objects.filter(station=station).exists()


def ahead_slugs(route, lat, lng, towards_end):
    here = Line(route.geometry["coordinates"]).project(lat, lng)
    rows = Station.objects.published().ahead(
        route_id=route.pk, along_m=here.along_m, towards_end=towards_end, max_offset_m=2000
    )
    return [(s.slug, s.road_along_m - here.along_m) for s in rows]


@pytest.mark.django_db
def test_position_before_the_first_station_lists_them_all(make_station):
    route = make_line("G228", demo.G228)
    slugs = []
    for fraction in (0.2, 0.5, 0.8):
        lng, lat = demo._along(demo.G228, fraction)
        slugs.append(make_station(latitude=lat, longitude=lng).slug)
    route_line_positions_rebuild(route=route)
    # At the line's start (beyond it, even), heading for its end.
    rows = ahead_slugs(route, 21.75, 108.63, towards_end=True)
    assert [slug for slug, _d in rows] == slugs
    assert all(distance > 0 for _slug, distance in rows)


@pytest.mark.django_db
def test_position_after_the_last_station_lists_none(make_station):
    route = make_line("G228", demo.G228)
    for fraction in (0.2, 0.5, 0.8):
        lng, lat = demo._along(demo.G228, fraction)
        make_station(latitude=lat, longitude=lng)
    route_line_positions_rebuild(route=route)
    lng, lat = demo._along(demo.G228, 0.95)
    assert ahead_slugs(route, lat, lng, towards_end=True) == []
    assert len(ahead_slugs(route, lat, lng, towards_end=False)) == 3


@pytest.mark.django_db
def test_position_exactly_at_a_station_lists_it_first_at_zero(make_station):
    route = make_line("G219", demo.G219)
    lng, lat = demo._along(demo.G219, 0.4)
    here = make_station("就在这里", latitude=lat + 0.002, longitude=lng)
    lng2, lat2 = demo._along(demo.G219, 0.6)
    make_station("前方", latitude=lat2, longitude=lng2)
    route_line_positions_rebuild(route=route)
    rows = ahead_slugs(route, here.latitude, here.longitude, towards_end=True)
    assert rows[0][0] == here.slug
    assert rows[0][1] == pytest.approx(0, abs=1)
    # In either direction the station the driver stands at comes first.
    assert ahead_slugs(route, here.latitude, here.longitude, towards_end=False)[0][0] == here.slug


@pytest.mark.django_db
def test_at_a_bend_the_straight_line_nearest_station_is_behind(make_station):
    # A hairpin: east along 21.60, then back west along 21.61 (about 1.1 km apart).
    route = make_line("G228", [(108.30, 21.60), (108.40, 21.60), (108.40, 21.61), (108.30, 21.61)])
    behind = make_station("弯前站", latitude=21.6105, longitude=108.34)  # on the return leg
    ahead_far = make_station("弯后站", latitude=21.6005, longitude=108.385)
    route_line_positions_rebuild(route=route)
    # Driving east on the first leg, at 108.34: the return leg's station is 1.1 km away
    # in a straight line; the next one on the road is 4.7 km ahead before the bend.
    lat, lng = 21.5995, 108.34
    nearest = Station.objects.published().nearest(lat, lng)
    assert nearest[0] == behind
    rows = ahead_slugs(route, lat, lng, towards_end=True)
    assert rows[0][0] == ahead_far.slug
    # The hairpin station is ahead too, but round the bend: 6.2 + 1.1 + 6.2 km of road.
    assert rows[1][0] == behind.slug
    assert rows[1][1] == pytest.approx(6_200 + 1_100 + 6_200, rel=0.01)
    # Driving west on the first leg, the bend station is not ahead at all.
    assert ahead_slugs(route, lat, lng, towards_end=False) == []


@pytest.mark.django_db
def test_line_edited_after_stations_were_placed(make_station, client, superuser):
    route = make_line("G228", demo.G228)
    lng, lat = demo._along(demo.G228, 0.5)
    station = make_station(latitude=lat, longitude=lng)
    route_line_positions_rebuild(route=route)
    before = StationRoutePosition.objects.get(station=station).along_m
    # Staff redraw the line in the admin: its first 5 km or so are cut off.
    client.force_login(superuser)
    coordinates = [list(p) for p in demo.G228[1:]]
    response = client.post(
        f"/admin/stations/routeline/{route.pk}/change/",
        {
            "code": "G228",
            "colour": "#b3261e",
            "geometry": json.dumps({"type": "LineString", "coordinates": coordinates}),
            "start_name_zh_hans": "钦州",
            "end_name_zh_hans": "东兴",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    after = StationRoutePosition.objects.get(station=station).along_m
    cut = Line(demo.G228[:2]).length_m
    assert after == pytest.approx(before - cut, abs=1)


@pytest.mark.django_db
def test_station_moved_in_the_admin_moves_along_the_line(make_station, client, superuser):
    route = make_line("G228", demo.G228)
    lng, lat = demo._along(demo.G228, 0.5)
    station = make_station(latitude=lat, longitude=lng, slug="moving")
    station_route_positions_update(station=station)
    client.force_login(superuser)
    change = client.get(f"/admin/stations/station/{station.pk}/change/")
    assert change.status_code == 200
    form = change.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    lng2, lat2 = demo._along(demo.G228, 0.9)
    data.update(
        {
            "latitude": lat2,
            "longitude": lng2,
            "managers": [],
            **{
                f"{prefix}-{key}": 0
                for prefix in (
                    inline.formset.prefix for inline in change.context["inline_admin_formsets"]
                )
                for key in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        }
    )
    data.pop("managers")
    response = client.post(f"/admin/stations/station/{station.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    position = StationRoutePosition.objects.get(station=station, route=route)
    assert position.along_m == pytest.approx(Line(demo.G228).project(lat2, lng2).along_m, abs=1)
    # Moved far from every line: no position any more.
    data.update({"latitude": 21.40, "longitude": 108.40})
    client.post(f"/admin/stations/station/{station.pk}/change/", data)
    assert not StationRoutePosition.objects.filter(station=station).exists()


@pytest.mark.django_db
def test_imported_stations_are_placed_on_the_lines(client, superuser):
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    route = make_line("G228", demo.G228)
    lng, lat = demo._along(demo.G228, 0.5)
    content = (
        "slug,name,kind,route,district,latitude,longitude,phone,status,published,open_24h,"
        f"amenities\nimported,导入站,driver_home,G228,gangkou,{lat},{lng},,open,1,1,\n"
    )
    from stations.admin import StationAdmin
    from stations.models import Station
    from stations.resources import ExcelCSV

    csv_format = str(StationAdmin(Station, None).get_import_formats().index(ExcelCSV))
    client.force_login(superuser)
    upload = SimpleUploadedFile("stations.csv", content.encode(), "text/csv")
    response = client.post(
        "/admin/stations/station/import/",
        {"import_file": upload, "format": csv_format, "resource": "0"},
    )
    html = response.content.decode()
    # The preview (a dry run in a rolled-back transaction) leaves nothing behind.
    assert not StationRoutePosition.objects.exists()
    fields = {
        name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
        for name in ("import_file_name", "original_file_name")
    }
    response = client.post(
        "/admin/stations/station/process_import/",
        {**fields, "format": csv_format, "resource": "0"},
    )
    assert response.status_code == 302
    position = StationRoutePosition.objects.get(station__slug="imported", route=route)
    assert position.along_m == pytest.approx(Line(demo.G228).project(lat, lng).along_m, abs=1)
