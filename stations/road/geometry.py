"""Project WGS-84 points onto a route line: distance along it and offset from it.

Pure Python and no Django, so the same numbers come out in the view, the services, the
benchmark and the tests. Each segment is treated as straight in a local equirectangular
plane centred on it (the lines are drawn in segments of a few km to a few tens of km, where
that plane is exact to well under 0.1 %); lengths along the line are great-circle lengths.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from stations import geo

_M_PER_DEG = geo.METRES_PER_DEGREE_LAT


@dataclass(frozen=True)
class Projection:
    """Where a point falls on a line: metres from the line's start, metres off it."""

    along_m: float
    offset_m: float
    lat: float
    lng: float


class Line:
    """A route line from GeoJSON positions (``[longitude, latitude]``, the line's order)."""

    def __init__(self, coordinates: Sequence[Sequence[float]]):
        points = [(float(p[1]), float(p[0])) for p in coordinates]
        if len(points) < 2:
            raise ValueError("a line needs at least two positions")
        self.points = points
        cumulative = [0.0]
        for (lat0, lng0), (lat1, lng1) in zip(points, points[1:], strict=False):
            cumulative.append(cumulative[-1] + geo.haversine_m(lat0, lng0, lat1, lng1))
        self.cumulative = cumulative
        # Bounding box of the line, for a quick "is this point anywhere near" test.
        lats = [lat for lat, _lng in points]
        lngs = [lng for _lat, lng in points]
        self.box = (min(lats), max(lats), min(lngs), max(lngs))

    @property
    def length_m(self) -> float:
        return self.cumulative[-1]

    def project(self, lat: float, lng: float) -> Projection:
        """Return the point's projection on the nearest segment (the first one on a tie)."""
        best: Projection | None = None
        for index, ((lat0, lng0), (lat1, lng1)) in enumerate(
            zip(self.points, self.points[1:], strict=False)
        ):
            scale = math.cos(math.radians((lat0 + lat1 + 2 * lat) / 4))
            dx, dy = (lng1 - lng0) * scale, lat1 - lat0
            px, py = (lng - lng0) * scale, lat - lat0
            length2 = dx * dx + dy * dy
            t = 0.0 if length2 == 0 else max(0.0, min(1.0, (px * dx + py * dy) / length2))
            foot_lat, foot_lng = lat0 + t * (lat1 - lat0), lng0 + t * (lng1 - lng0)
            offset = geo.haversine_m(lat, lng, foot_lat, foot_lng)
            if best is None or offset < best.offset_m:
                along = self.cumulative[index] + t * (
                    self.cumulative[index + 1] - self.cumulative[index]
                )
                best = Projection(along, offset, foot_lat, foot_lng)
        assert best is not None
        return best

    def near_box(self, margin_m: float) -> tuple[float, float, float, float]:
        """Return (min_lat, max_lat, min_lng, max_lng): the line's box widened by a margin."""
        min_lat, max_lat, min_lng, max_lng = self.box
        dlat = margin_m / _M_PER_DEG
        dlng = margin_m / (
            _M_PER_DEG * max(0.01, math.cos(math.radians(max(abs(min_lat), abs(max_lat)))))
        )
        return min_lat - dlat, max_lat + dlat, min_lng - dlng, max_lng + dlng

    def stretch(self, from_m: float, towards_end: bool) -> list[tuple[float, float]]:
        """Return the (lat, lng) points of the line from ``from_m`` to the end it runs to."""
        from_m = max(0.0, min(self.length_m, from_m))
        start = self.point_at(from_m)
        if towards_end:
            rest = [p for p, c in zip(self.points, self.cumulative, strict=True) if c > from_m]
        else:
            rest = [p for p, c in zip(self.points, self.cumulative, strict=True) if c < from_m][
                ::-1
            ]
        return [start, *rest]

    def point_at(self, along_m: float) -> tuple[float, float]:
        """Return the (lat, lng) at ``along_m`` metres from the start (clamped to the line)."""
        along_m = max(0.0, min(self.length_m, along_m))
        for index in range(len(self.points) - 1):
            c0, c1 = self.cumulative[index], self.cumulative[index + 1]
            if along_m <= c1 or index == len(self.points) - 2:
                t = 0.0 if c1 == c0 else (along_m - c0) / (c1 - c0)
                (lat0, lng0), (lat1, lng1) = self.points[index], self.points[index + 1]
                return lat0 + t * (lat1 - lat0), lng0 + t * (lng1 - lng0)
        return self.points[-1]


def driving_minutes(distance_m: float, speed_kmh: float) -> int:
    """Return a rough driving time in whole minutes (rounded up) at an average speed."""
    return math.ceil(distance_m / 1000 / speed_kmh * 60)
