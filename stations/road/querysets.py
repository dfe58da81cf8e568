"""Reads along a route: stations ahead of a driver, in road order."""

from django.db.models import F, OuterRef, Q, Subquery

# A station this close behind the driver's projection still counts as ahead: the driver is
# at it (positions from phones are rounded to about 100 m).
AT_STATION_M = 100.0


class RoadQuerySetMixin:
    """Mixed into ``StationQuerySet``: the ``ahead`` read."""

    def ahead(self, *, route_id: int, along_m: float, towards_end: bool, max_offset_m: float):
        """Stations on the route within ``max_offset_m`` of it, ahead of ``along_m``.

        Annotates ``road_along_m`` (distance of the station from the line's start) and
        ``road_offset_m``, ordered in the direction of travel (then by id). One join on the
        ``(route, along_m)`` index; no function per row.
        """
        if towards_end:
            ahead = Q(route_positions__along_m__gte=along_m - AT_STATION_M)
            order = "road_along_m"
        else:
            ahead = Q(route_positions__along_m__lte=along_m + AT_STATION_M)
            order = "-road_along_m"
        queryset = self.filter(  # type: ignore[attr-defined]
            Q(route_positions__route_id=route_id)
            & Q(route_positions__offset_m__lte=max_offset_m)
            & ahead
        )
        return queryset.annotate(
            road_along_m=F("route_positions__along_m"),
            road_offset_m=F("route_positions__offset_m"),
        ).order_by(order, "pk")

    def with_road_position(self):
        """Annotate ``road_code`` and ``road_km``: the station's place on the nearest line.

        Subqueries in the same SELECT, so a station page costs no extra query; None for a
        station on no line.
        """
        from stations.models import StationRoutePosition

        nearest = StationRoutePosition.objects.filter(station=OuterRef("pk")).order_by(
            "offset_m", "route_id"
        )
        return self.annotate(  # type: ignore[attr-defined]
            road_code=Subquery(nearest.values("route__code")[:1]),
            road_km=Subquery(nearest.annotate(km=F("along_m") / 1000.0).values("km")[:1]),
        )


def road_distance_m(station_along_m: float, along_m: float) -> float:
    """Road distance from the driver's projection to a station's (never negative)."""
    return max(0.0, abs(station_along_m - along_m))
