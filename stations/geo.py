"""Distances and coordinate systems.

Stations are stored in WGS-84 (what phones' GPS and OpenStreetMap use). Maps sold in
China (AMap/Gaode, Tencent) draw in GCJ-02, offset by a few hundred metres; anything drawn
on such tiles is shifted here, for display only. Points outside mainland China (Móng Cái
across the border) are never shifted.
"""

import math

# Mean Earth radius (IUGG), metres: haversine on it stays within 0.5 % of the ellipsoid.
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180

# East of this longitude the China–Vietnam border has reached the sea.
BORDER_EAST_LNG = 108.08

# GCJ-02 constants: Krasovsky 1940 ellipsoid, as every published implementation uses.
_A = 6_378_245.0
_EE = 0.006_693_421_622_965_943


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Return the great-circle distance in metres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """Return (min_lat, max_lat, min_lng, max_lng) enclosing a circle of ``radius_m``.

    The box is slightly generous; near the poles or across the antimeridian it widens to
    every longitude rather than split in two.
    """
    dlat = radius_m / METRES_PER_DEGREE_LAT
    min_lat, max_lat = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    cos_lat = min(math.cos(math.radians(min_lat)), math.cos(math.radians(max_lat)))
    if cos_lat <= 0.01:
        return min_lat, max_lat, -180.0, 180.0
    dlng = radius_m / (METRES_PER_DEGREE_LAT * cos_lat)
    if dlng >= 180 or lng - dlng < -180 or lng + dlng > 180:
        return min_lat, max_lat, -180.0, 180.0
    return min_lat, max_lat, lng - dlng, lng + dlng


def out_of_china(lat: float, lng: float) -> bool:
    """Tell whether a point lies outside the box where GCJ-02 applies.

    The usual rectangle is too coarse at the Vietnamese border: Móng Cái (21.52 N,
    107.97 E) sits inside it, across the Beilun river from Dongxing. West of the river's
    mouth (108.08 E) points south of a rough border line are treated as Vietnam.
    """
    if not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271):
        return True
    return lng < BORDER_EAST_LNG and lat < _vietnam_border_lat(lng)


def _vietnam_border_lat(lng: float) -> float:
    """Latitude of the China–Vietnam border (rough, for the GCJ-02 test only)."""
    # A few points along the land border, west to east (lng, lat).
    points = [
        (102.1, 22.4),
        (103.0, 22.6),
        (103.9, 22.5),
        (104.8, 22.9),
        (105.8, 23.0),
        (106.7, 22.8),
        (106.6, 22.3),
        (107.0, 21.9),
        (107.4, 21.65),
        (107.85, 21.56),
        (107.95, 21.545),
        # The Beilun river between Dongxing (north bank) and Móng Cái (south bank).
        (107.975, 21.530),
        (108.02, 21.51),
        (BORDER_EAST_LNG, 21.47),
    ]
    if lng <= points[0][0]:
        return 22.4
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if x0 <= lng <= x1:
            return y0 + (y1 - y0) * (lng - x0) / (x1 - x0)
    return points[-1][1]


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """Return the GCJ-02 (lat, lng) at which GCJ-02 tiles draw a WGS-84 point."""
    if out_of_china(lat, lng):
        return lat, lng
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """Invert :func:`wgs84_to_gcj02` by iteration (well under a metre of error)."""
    wlat, wlng = lat, lng
    for _ in range(30):
        glat, glng = wgs84_to_gcj02(wlat, wlng)
        dlat, dlng = glat - lat, glng - lng
        wlat, wlng = wlat - dlat, wlng - dlng
        if abs(dlat) < 1e-9 and abs(dlng) < 1e-9:
            break
    return wlat, wlng


def to_display(lat: float, lng: float, tile_crs: str) -> tuple[float, float]:
    """Return where to draw a WGS-84 point on tiles in ``tile_crs`` ("wgs84" or "gcj02")."""
    if tile_crs == "gcj02":
        return wgs84_to_gcj02(lat, lng)
    return lat, lng


def format_distance(metres: float) -> str:
    """Format a distance for people: "850 m", "4.2 km", "37 km" (units are universal)."""
    if metres < 1000:
        return f"{round(metres / 10) * 10:.0f} m"
    if metres < 10_000:
        return f"{metres / 1000:.1f} km"
    return f"{metres / 1000:.0f} km"
