"""The "stations ahead" page: the stations ahead of a driver on G228 or G219, in road order.

The driver names a route and direction (or, with JavaScript, gives two positions a few
hundred metres apart and the direction is worked out from them) and a position (their
rounded location, or a place from the list). The position is projected onto the line; the
stations ahead come from their stored positions (``stations.road``). The rest limit is
sent as the minutes left before the four hours are up, never as a time of day.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.db.models import QuerySet, prefetch_related_objects
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from . import geo
from .forms import NearbyForm
from .models import Amenity, RouteLine, Station
from .querysets import display_prefetches
from .road.geometry import Line, Projection, driving_minutes
from .road.querysets import road_distance_m
from .views import _filter_values, _for_cards

PAGE_SIZE = 20
# The rest rule: at most four hours of driving in a row (docs/domain.md).
DRIVING_LIMIT_MIN = 240
# Two positions closer than this along the line cannot tell the direction.
DIRECTION_MIN_M = 150.0


@dataclass(frozen=True)
class NextLine:
    """One "next ..." line on top of the page: a label and which stations it looks for."""

    key: str
    label: str
    predicate: Callable[[QuerySet, datetime], QuerySet]


# One line each, shown above the list when a station ahead matches (one query per line).
# Issue 13's "parking not full" belongs in the "free_parking" predicate.
NEXT_LINES = (
    NextLine("open", _("Next open station"), lambda stations, now: stations.open_at(now)),
    NextLine(
        "showers", _("Next shower"), lambda stations, now: stations.with_amenities(["showers"])
    ),
    NextLine(
        "free_parking",
        _("Next free parking"),
        # Truck parking not reported full (issue 13's parking now), as the list's filter.
        lambda stations, now: stations.parking_not_full(now),
    ),
    NextLine(
        "emergency_rescue",
        _("Next 24-hour rescue point"),
        lambda stations, now: stations.with_amenities(["emergency_rescue"]),
    ),
)


def way_value(route: RouteLine, towards_end: bool) -> str:
    return f"{route.code}:{'end' if towards_end else 'start'}"


def way_label(route: RouteLine, towards_end: bool) -> str:
    return _("%(route)s towards %(place)s") % {
        "route": route.code,
        "place": route.end_name("end" if towards_end else "start"),
    }


class AheadForm(NearbyForm):
    """A position (coordinates or a place), a route and direction, the list's filters.

    ``way`` is "<route code>:end" or "<route code>:start"; left empty it is worked out from
    ``from_lat``/``from_lng`` (an earlier position the phone saw). ``rest_min`` is the
    number of minutes left before the four-hour limit, negative once it is past.
    """

    way = forms.ChoiceField(label=_("Road and direction"), required=False)
    from_lat = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    from_lng = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    rest_min = forms.IntegerField(
        required=False, min_value=-1440, max_value=DRIVING_LIMIT_MIN, widget=forms.HiddenInput
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {line.code: line for line in lines}
        # The road is chosen here, not filtered on: the list's route and district go.
        del self.fields["route"]
        del self.fields["district"]
        self.fields["way"].choices = [
            ("", _("Work it out from my movement")),
            *(
                (way_value(line, towards_end), way_label(line, towards_end))
                for line in self.lines.values()
                for towards_end in (True, False)
            ),
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if (data.get("from_lat") is None) != (data.get("from_lng") is None):
            raise forms.ValidationError(_("The earlier position is incomplete."), code="half_point")
        if data.get("lat") is None:
            if self.is_bound and any(self.data.get(name) for name in ("way", "rest_min")):
                raise forms.ValidationError(
                    _("Say where you are: use your location or choose a place."), code="no_place"
                )
            return data
        return data

    @property
    def route_and_direction(self) -> tuple[RouteLine | None, bool | None]:
        """The chosen route and whether the driver heads to its end (None: not chosen)."""
        way = self.cleaned_data.get("way") or ""
        if not way:
            return None, None
        code, _sep, end = way.partition(":")
        return self.lines[code], end == "end"


@dataclass
class Plan:
    """Where the driver is on which line, and which way they drive."""

    route: RouteLine
    line: Line
    projection: Projection
    towards_end: bool | None


def _nearest_line(
    lines: list[RouteLine], lat: float, lng: float
) -> tuple[RouteLine, Line, Projection] | None:
    best = None
    for route in lines:
        line = Line(route.geometry["coordinates"])
        projection = line.project(lat, lng)
        if best is None or projection.offset_m < best[2].offset_m:
            best = (route, line, projection)
    return best


def _plan(form: AheadForm, lines: list[RouteLine], origin) -> Plan | None:
    """Project the driver onto the chosen line (or the nearest one) and settle the direction.

    Returns None when there is no line at all; the plan's projection says how far off the
    line the driver is. With no direction chosen the earlier position gives it, or the form
    gets an error.
    """
    route, towards_end = form.route_and_direction
    if route is None:
        found = _nearest_line(lines, *origin)
        if found is None:
            return None
        route, line, projection = found
    else:
        line = Line(route.geometry["coordinates"])
        projection = line.project(*origin)
    if towards_end is None and projection.offset_m > settings.ROUTE_MAX_OFFSET_M:
        # Off every route: the page says so whatever the direction.
        return Plan(route, line, projection, None)
    if towards_end is None and form.cleaned_data.get("from_lat") is None:
        form.add_error("way", _("Choose the road and the direction you are driving in."))
    elif towards_end is None:
        earlier = line.project(form.cleaned_data["from_lat"], form.cleaned_data["from_lng"])
        moved = projection.along_m - earlier.along_m
        if abs(moved) < DIRECTION_MIN_M:
            form.add_error(
                "way",
                _("You have not moved far enough along the road to tell the direction: choose it."),
            )
        else:
            towards_end = moved > 0
    return Plan(route, line, projection, towards_end)


@require_safe
def ahead(request):
    now = timezone.now()
    amenities = list(Amenity.objects.all())
    lines = list(RouteLine.objects.all())
    form = AheadForm(request.GET or None, amenities=amenities, lines=lines)
    valid = form.is_valid() if form.is_bound else True
    origin = form.origin if valid else None
    max_offset = settings.ROUTE_MAX_OFFSET_M
    context = {
        "form": form,
        "origin": origin,
        "amenities": amenities,
        "lines": lines,
        "stations": [],
        "next_lines": [],
        "off_route": None,
        "plan": None,
        # The list's filter values (whatever filters the list gains come along), without
        # its route and district: the road is chosen above.
        **{
            key: value
            for key, value in _filter_values(request, amenities).items()
            if key not in ("route_choices", "district_choices")
        },
    }
    plan = _plan(form, lines, origin) if origin is not None else None
    if plan is not None and plan.projection.offset_m > max_offset:
        context["off_route"] = {
            "route": plan.route if form.route_and_direction[0] else None,
            "distance": geo.format_distance(plan.projection.offset_m),
            "nearby": reverse("stations:nearby")
            + "?"
            + urlencode({"lat": origin[0], "lng": origin[1]}),
        }
    elif plan is not None and plan.towards_end is not None:
        context.update(_ahead_context(form, plan, now))
    valid = not form.errors
    response = render(request, "stations/ahead.html", context, status=200 if valid else 400)
    # The URL carries the driver's position: never pass it on, never keep it.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


def _ahead_context(form: AheadForm, plan: Plan, now: datetime) -> dict:
    """The stations ahead with road distances and driving times, the next-lines, the rest."""

    along = plan.projection.along_m
    speed = settings.ROAD_AVERAGE_SPEED_KMH
    base = Station.objects.published().ahead(
        route_id=plan.route.pk,
        along_m=along,
        towards_end=bool(plan.towards_end),
        max_offset_m=settings.ROUTE_MAX_OFFSET_M,
    )
    stations = list(form.filter(base)[:PAGE_SIZE])
    prefetch_related_objects(stations, *display_prefetches())
    stations = _for_cards(stations, now=now)
    rest_min = form.cleaned_data.get("rest_min")
    for station in stations:
        _road_labels(station, along, speed, rest_min)
    next_lines = []
    for entry in NEXT_LINES:
        station = (
            entry.predicate(base, now)
            .only("name", "name_en", "name_vi", "name_pinyin", "slug")
            .first()
        )
        if station is not None:
            _road_labels(station, along, speed, None)
            next_lines.append({"key": entry.key, "label": entry.label, "station": station})
    rest = None
    if rest_min is not None:
        reachable = [s for s in stations if s.reachable]
        rest = {
            "minutes": rest_min,
            "past": rest_min <= 0,
            "due": timezone.localtime(now + timedelta(minutes=max(rest_min, 0))),
            "last": reachable[-1] if reachable else None,
            "nearest": stations[0] if stations else None,
        }
    return {
        "plan": plan,
        "km": along / 1000,
        "way_label": way_label(plan.route, bool(plan.towards_end)),
        "map_hash": f"ahead={way_value(plan.route, bool(plan.towards_end))}@{along / 1000:.1f}",
        "stations": stations,
        "next_lines": next_lines,
        "rest": rest,
        "speed": speed,
    }


def _road_labels(station, along_m: float, speed: int, rest_min: int | None) -> None:
    station.road_m = road_distance_m(station.road_along_m, along_m)
    station.drive_min = driving_minutes(station.road_m, speed)
    station.distance_label = geo.format_distance(station.road_m)
    station.km_label = f"{station.road_along_m / 1000:.1f}"
    station.reachable = rest_min is not None and station.drive_min <= rest_min
    if not getattr(station, "url", None):
        station.url = station.get_absolute_url()
