"""The map's "stretch ahead" control: the route lines' directions, named by staff."""

from django import template
from django.conf import settings

from stations.ahead import way_label, way_value
from stations.models import RouteLine

register = template.Library()


@register.inclusion_tag("stations/_ahead_map_control.html")
def ahead_map_control():
    """Render the route-and-direction choice of the map (one query for the lines)."""
    ways = [
        (way_value(line, towards_end), way_label(line, towards_end))
        for line in RouteLine.objects.all()
        for towards_end in (True, False)
    ]
    return {"ways": ways, "max_offset_m": settings.ROUTE_MAX_OFFSET_M}
