"""Distances and the GCJ-02 display shift."""

import random

import pytest
from geographiclib.geodesic import Geodesic

from stations import geo

MONG_CAI = (21.5246, 107.9660)
DONGXING_CROSSING = (21.545, 107.975)
PORT = (21.58, 108.36)


def test_haversine_matches_geodesic_within_half_a_percent():
    rng = random.Random(7)
    for _ in range(500):
        lat1, lng1 = rng.uniform(18, 26), rng.uniform(104, 112)
        lat2, lng2 = lat1 + rng.uniform(-3, 3), lng1 + rng.uniform(-3, 3)
        exact = Geodesic.WGS84.Inverse(lat1, lng1, lat2, lng2)["s12"]
        if exact < 1:
            continue
        assert geo.haversine_m(lat1, lng1, lat2, lng2) == pytest.approx(exact, rel=0.005)


def test_bounding_box_contains_the_circle():
    rng = random.Random(3)
    lat, lng = PORT
    min_lat, max_lat, min_lng, max_lng = geo.bounding_box(lat, lng, 10_000)
    for _ in range(1000):
        plat, plng = lat + rng.uniform(-0.2, 0.2), lng + rng.uniform(-0.2, 0.2)
        if geo.haversine_m(lat, lng, plat, plng) <= 10_000:
            assert min_lat <= plat <= max_lat
            assert min_lng <= plng <= max_lng


def test_bounding_box_near_the_pole_takes_every_longitude():
    assert geo.bounding_box(89.9, 10, 50_000)[2:] == (-180.0, 180.0)


def test_wgs84_to_gcj02_matches_the_published_reference_value():
    # The value every public implementation quotes for Tiananmen.
    lat, lng = geo.wgs84_to_gcj02(39.915, 116.404)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)
    assert lng == pytest.approx(116.41024449916938, abs=1e-9)


def test_gcj02_shift_in_fangchenggang_is_a_few_hundred_metres():
    shifted = geo.wgs84_to_gcj02(*PORT)
    assert 100 < geo.haversine_m(*PORT, *shifted) < 1000


def test_dongxing_is_shifted_and_mong_cai_never_is():
    assert geo.out_of_china(*MONG_CAI)
    assert geo.wgs84_to_gcj02(*MONG_CAI) == MONG_CAI
    assert geo.to_display(*MONG_CAI, "gcj02") == MONG_CAI
    assert not geo.out_of_china(*DONGXING_CROSSING)
    assert geo.wgs84_to_gcj02(*DONGXING_CROSSING) != DONGXING_CROSSING


@pytest.mark.parametrize(
    "point", [(21.0285, 105.8542), (20.95, 107.08), (1.35, 103.82), (48.85, 2.35)]
)
def test_points_outside_mainland_china_are_not_shifted(point):
    assert geo.wgs84_to_gcj02(*point) == point


def test_gcj02_inverse_round_trips_within_a_metre():
    rng = random.Random(11)
    for _ in range(100):
        lat, lng = rng.uniform(21.5, 22.4), rng.uniform(108.0, 108.7)
        back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lat, lng))
        assert geo.haversine_m(lat, lng, *back) < 1


def test_to_display_leaves_wgs84_tiles_alone():
    assert geo.to_display(*PORT, "wgs84") == PORT


@pytest.mark.parametrize(
    ("metres", "text"), [(42, "40 m"), (850, "850 m"), (4230, "4.2 km"), (37_400, "37 km")]
)
def test_format_distance(metres, text):
    assert geo.format_distance(metres) == text
