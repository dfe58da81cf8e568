"""Forms of the public help pages: the request and the tracking form."""

import math
import re
import unicodedata
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.choices import Category
from portal.lib.forms import BotCheckedForm
from portal.lib.phones import normalize_mobile
from portal.lib.translated import FallbackLabel, TranslatedRadioSelect, choice_label
from stations.models import Station

SLUG = re.compile(r"\A[-a-zA-Z0-9_]{1,200}\Z")


def valid_slug(value) -> str:
    """Return ``value`` if it can be a station slug (no NUL or odd characters), else ''."""
    value = str(value or "")
    return value if SLUG.match(value) else ""


def _coordinate(raw: str, low: float, high: float) -> Decimal | None:
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise forms.ValidationError(_("The location could not be read.")) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise forms.ValidationError(_("The location could not be read."))
    # Rounded to 3 decimals (about 100 m), as on the nearby page: enough to find a truck.
    return Decimal(f"{number:.3f}")


class HelpRequestForm(BotCheckedForm):
    token_salt = "helpdesk.help"  # noqa: S105 (a salt, not a secret)

    urgent = forms.BooleanField(label=_("Urgent: I need help now"), required=False)
    category = forms.ChoiceField(
        label=_("What do you need?"), choices=Category.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    phone = forms.CharField(
        label=_("Callback phone"),
        max_length=32,
        help_text=_("Mainland mobile or a Vietnamese number starting with +84."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    # A station picked from a short list (the one the driver came from, or what a search
    # found), never a list of every station: the form weighs the same at any count.
    station = forms.CharField(
        label=_("At a station"), required=False, max_length=200, widget=TranslatedRadioSelect
    )
    station_q = forms.CharField(
        label=_("Find a station"),
        required=False,
        max_length=100,
        help_text=_("Name, road or place. With your location shared, the nearest come first."),
        widget=forms.TextInput(attrs={"enterkeyhint": "search", "autocomplete": "off"}),
    )
    latitude = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)
    location_text = forms.CharField(
        label=_("Or describe the place"),
        max_length=200,
        required=False,
        help_text=_("Road, kilometre post, landmark…"),
    )
    sms_opt_in = forms.BooleanField(
        label=_("Send me text messages about this request"),
        required=False,
        help_text=_("The tracking code now, then a line when it is passed on or solved."),
    )

    def __init__(self, *args, stations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_station_choices(stations)

    def set_station_choices(self, stations) -> None:
        """Offer ``stations`` (with ``distance_label`` when known), then "not at a station"."""
        self.station_options = list(stations)
        self.fields["station"].widget.choices = [
            *((s.slug, _station_label(s)) for s in self.station_options),
            ("", _("Not at a station")),
        ]

    def clean_phone(self) -> str:
        return normalize_mobile(self.cleaned_data["phone"])

    def clean_station(self) -> Station | None:
        slug = valid_slug(self.cleaned_data.get("station"))
        if not slug:
            if self.cleaned_data.get("station"):
                raise forms.ValidationError(_("Pick a station from the list, or search again."))
            return None
        station = Station.objects.published().filter(slug=slug).first()
        if station is None:
            raise forms.ValidationError(_("Pick a station from the list, or search again."))
        return station

    def clean_latitude(self):
        return _coordinate(self.cleaned_data.get("latitude"), -90, 90)

    def clean_longitude(self):
        return _coordinate(self.cleaned_data.get("longitude"), -180, 180)

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            data["latitude"] = data["longitude"] = None
            lat = lon = None
        has_error = any(f in self.errors for f in ("latitude", "longitude", "station"))
        if (
            not has_error
            and not data.get("station")
            and lat is None
            and not (data.get("location_text") or "").strip()
        ):
            raise forms.ValidationError(
                _(
                    "Tell us where you are: pick a station, share your location "
                    "or describe the place."
                )
            )
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)
    last4 = forms.CharField(
        label=_("Last 4 digits of your callback phone"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_last4(self) -> str:
        text = unicodedata.normalize("NFKC", self.cleaned_data["last4"]).strip()
        if not re.fullmatch(r"[0-9]{4}", text):
            raise forms.ValidationError(_("Enter 4 digits."))
        return text


def _station_label(station) -> str:
    """The station's name in the page's language (Chinese with pinyin, marked, as fallback)
    and, when the driver's position is known, its distance."""
    label = choice_label(station)
    distance = getattr(station, "distance_label", "")
    if not distance:
        return label
    if isinstance(label, FallbackLabel):
        return label.with_suffix(f" · {distance}")
    return f"{label} · {distance}"
