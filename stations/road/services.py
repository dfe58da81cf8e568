"""Keep stations' positions along route lines current (``StationRoutePosition`` rows).

Called wherever a station's coordinates or a line's geometry are written: the station and
route-line admins, the station import, the demo data, and
``manage.py rebuild_route_positions`` (after ``ROUTE_MAX_OFFSET_M`` changes).
"""

from django.conf import settings
from django.db import transaction

from stations.models import RouteLine, Station, StationRoutePosition

from .geometry import Line


def station_route_positions_update(*, station: Station) -> list[StationRoutePosition]:
    """Recompute where ``station`` lies on every route line (one line's worth per line).

    Queries: the lines, the delete, one insert. Returns the rows now stored.
    """
    max_offset = settings.ROUTE_MAX_OFFSET_M
    rows = []
    for route in RouteLine.objects.all():
        projection = Line(route.geometry["coordinates"]).project(
            station.latitude, station.longitude
        )
        if projection.offset_m <= max_offset:
            rows.append(
                StationRoutePosition(
                    station=station,
                    route=route,
                    along_m=projection.along_m,
                    offset_m=projection.offset_m,
                )
            )
    with transaction.atomic():
        StationRoutePosition.objects.filter(station=station).delete()
        return StationRoutePosition.objects.bulk_create(rows)


def route_line_positions_rebuild(*, route: RouteLine) -> int:
    """Recompute every station's position on ``route`` (after its geometry changed).

    Only stations in the line's box widened by the maximum offset are projected. Atomic:
    drivers see the old positions or the new ones, never a half-built line. Returns the
    number of stations on the line.
    """
    max_offset = settings.ROUTE_MAX_OFFSET_M
    line = Line(route.geometry["coordinates"])
    min_lat, max_lat, min_lng, max_lng = line.near_box(max_offset)
    candidates = Station.objects.filter(
        latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lng, longitude__lte=max_lng
    ).values_list("pk", "latitude", "longitude")
    rows = []
    for pk, lat, lng in candidates.iterator(chunk_size=5000):
        projection = line.project(lat, lng)
        if projection.offset_m <= max_offset:
            rows.append(
                StationRoutePosition(
                    station_id=pk,
                    route=route,
                    along_m=projection.along_m,
                    offset_m=projection.offset_m,
                )
            )
    with transaction.atomic():
        StationRoutePosition.objects.filter(route=route).delete()
        StationRoutePosition.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def route_positions_rebuild_all() -> dict[str, int]:
    """Rebuild the positions on every line; return the count of stations per line code."""
    return {
        route.code: route_line_positions_rebuild(route=route) for route in RouteLine.objects.all()
    }
