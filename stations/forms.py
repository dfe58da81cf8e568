import math

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Station

# Places a driver without geolocation can start from (rough WGS-84, see docs/domain.md).
LANDMARKS = {
    "port": (_("Fangchenggang port docks"), 21.58, 108.36),
    "city": (_("City centre (Gangkou)"), 21.61, 108.35),
    "fangcheng": (_("Fangcheng District"), 21.77, 108.36),
    "dongxing": (_("Dongxing border crossing"), 21.545, 107.975),
    "shangsi": (_("Shangsi county seat"), 22.15, 107.98),
    "jiangshan": (_("Jiangshan peninsula"), 21.52, 108.22),
    "qisha": (_("Qisha port area"), 21.55, 108.50),
}


class StationFilterForm(forms.Form):
    """Filters shared by the list and the nearby page; every field optional."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    amenity = forms.MultipleChoiceField(
        label=_("Amenities (all of)"), required=False, widget=forms.CheckboxSelectMultiple
    )
    # Choices as functions here and below: a form copies its fields for every request, and
    # copying lists of translated labels was half the cost of the nearby page's form.
    route = forms.ChoiceField(
        label=_("Route"),
        required=False,
        choices=lambda: [("", _("Any route")), *Station.Route.choices],
    )
    district = forms.ChoiceField(
        label=_("District"),
        required=False,
        choices=lambda: [("", _("Any district")), *Station.District.choices],
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    parking = forms.BooleanField(label=_("Truck parking not full"), required=False)

    def __init__(self, *args, amenities=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Possibly lazy (the nearby page reads them only to check an amenity asked for or to
        # render its shell): the choices are worked out when first needed.
        self.amenities = amenities
        self.fields["amenity"].choices = lambda: [(a.code, a.label) for a in self.amenities]

    def filter(self, queryset):
        """Apply the cleaned filters to ``queryset``."""
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.search(data["q"])
        if data.get("amenity"):
            queryset = queryset.with_amenities(data["amenity"])
        if data.get("route"):
            queryset = queryset.filter(route=data["route"])
        if data.get("district"):
            queryset = queryset.filter(district=data["district"])
        if data.get("open_now"):
            queryset = queryset.open_now()
        if data.get("parking"):
            queryset = queryset.parking_not_full()
        return queryset

    def is_filtered(self) -> bool:
        """Whether any filter narrows the stations. Every field of this form is a filter,
        so one added later counts here too (the map feed's grid table holds every
        station drivers may see and must not answer a filtered view)."""
        return any(self.cleaned_data.get(name) for name in StationFilterForm.base_fields)


class NearbyForm(StationFilterForm):
    """A starting point (coordinates or a landmark) plus the list filters."""

    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    place = forms.ChoiceField(
        label=_("Or start from"),
        required=False,
        choices=lambda: [("", _("Choose a place"))] + [(k, v[0]) for k, v in LANDMARKS.items()],
    )

    def clean(self):
        data = super().clean()
        lat, lng, place = data.get("lat"), data.get("lng"), data.get("place")
        if "lat" in self.errors or "lng" in self.errors:
            return data
        if (lat is None) != (lng is None):
            raise forms.ValidationError(
                _("Give both latitude and longitude, or choose a place."), code="half_point"
            )
        if lat is None and place:
            _label, data["lat"], data["lng"] = LANDMARKS[place]
        return data

    @property
    def origin(self):
        if not self.is_bound or not self.is_valid():
            return None
        lat, lng = self.cleaned_data.get("lat"), self.cleaned_data.get("lng")
        if lat is None or lng is None:
            return None
        return lat, lng


def _numbers(value: str, count: int) -> list[float]:
    """Parse ``count`` comma-separated finite numbers, or raise a ValidationError."""
    parts = value.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != count or not all(math.isfinite(n) for n in numbers):
        raise forms.ValidationError(
            _("Give %(count)s numbers separated by commas."), params={"count": count}
        )
    return numbers


class FeedForm(StationFilterForm):
    """What the GeoJSON feed is asked for: a view (bounding box and zoom), the stations
    around a point, or neither (the first stations, capped); plus the list filters."""

    bbox = forms.CharField(label=_("Bounding box"), required=False, max_length=200)
    zoom = forms.IntegerField(label=_("Zoom"), required=False, min_value=0, max_value=22)
    near = forms.CharField(label=_("Near"), required=False, max_length=100)
    # The feed lives outside the language prefix: names come in the language asked for.
    lang = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("zh-hans", "zh-hans"), ("en", "en"), ("vi", "vi")],
    )

    def clean_bbox(self):
        value = self.cleaned_data["bbox"]
        if not value:
            return None
        west, south, east, north = _numbers(value, 4)
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise forms.ValidationError(
                _("The box is west,south,east,north in degrees, west of east and south of north.")
            )
        return (west, south, east, north)

    def clean_near(self):
        value = self.cleaned_data["near"]
        if not value:
            return None
        lat, lng = _numbers(value, 2)
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise forms.ValidationError(_("The point is latitude,longitude in degrees."))
        return (lat, lng)

    def clean(self):
        data = super().clean()
        if data.get("bbox") and data.get("zoom") is None:
            self.add_error("zoom", _("A bounding box needs a zoom level."))
        if data.get("bbox") and data.get("near"):
            self.add_error("near", _("Ask for a bounding box or a point, not both."))
        return data
