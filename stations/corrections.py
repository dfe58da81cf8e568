"""Drivers' corrections: "something wrong here?" on a station page, without an account.

The form has the help form's anti-abuse (signed token, honeypot, minimum fill time) and
the drivers' report rate limits (``stations.reports.report_limited``). Corrections land in
the station manager's console and the admin as a queue; who may see them is decided by
``StationCorrection.objects.visible_to``.
"""

import math

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_station_manager, staff_view
from portal.lib.forms import BotCheckedForm
from portal.lib.phones import normalize_landline

from . import services
from .models import Amenity, Station, StationCorrection
from .reports import report_limited

Kind = StationCorrection.Kind
AMENITY_KINDS = {Kind.AMENITY_MISSING, Kind.AMENITY_OUT}


class CorrectionForm(BotCheckedForm):
    token_salt = "stations.correction"  # noqa: S105 (a salt, not a secret)
    kind = forms.ChoiceField(
        label=_("What is wrong?"), choices=Kind.choices, widget=forms.RadioSelect
    )
    amenity = forms.ModelChoiceField(
        label=_("Which amenity?"),
        queryset=Amenity.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Choose"),
    )
    phone = forms.CharField(
        label=_("The right phone number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    text = forms.CharField(
        label=_("Details (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: now opens at 07:00. Please leave out names and phone numbers of people."
        ),
    )

    def __init__(self, *args, station: Station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amenity"].queryset = Amenity.objects.all()
        self.station = station

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in AMENITY_KINDS and not data.get("amenity"):
            self.add_error("amenity", _("Choose the amenity."))
        if kind == Kind.PHONE:
            try:
                data["phone"] = normalize_landline(data.get("phone") or "")
            except ValidationError as exc:
                self.add_error("phone", exc)
            if not data.get("phone") and "phone" not in self.errors:
                self.add_error("phone", _("Enter the right phone number."))
        else:
            data["phone"] = ""
        if kind == Kind.POSITION:
            lat, lng = data.get("latitude"), data.get("longitude")
            if lat is None or lng is None or not (math.isfinite(lat) and math.isfinite(lng)):
                if "latitude" not in self.errors and "longitude" not in self.errors:
                    raise forms.ValidationError(
                        _(
                            "Give the right position: tap “use my location” at the station, "
                            "or type it."
                        )
                    )
            else:
                data["latitude"], data["longitude"] = round(lat, 5), round(lng, 5)
        else:
            data["latitude"] = data["longitude"] = None
        if kind not in AMENITY_KINDS:
            data["amenity"] = None
        return data


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def correction_form(request, slug):
    station = get_object_or_404(Station.objects.published(), slug=slug)
    status, limited = 200, ""
    if request.method == "POST":
        form = CorrectionForm(request.POST, station=station)
        if form.is_valid():
            limited = report_limited(request, station)
            if not limited:
                data = form.cleaned_data
                services.station_correction_submit(
                    station=station,
                    kind=data["kind"],
                    text=data["text"],
                    amenity=data["amenity"],
                    phone=data["phone"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    form_token=data["token"],
                )
                messages.success(request, gettext("Thank you: the station's team will check it."))
                return redirect(station.get_absolute_url())
            status = 429
        else:
            status = 400
    else:
        initial = {}
        if request.GET.get("kind") in Kind.values:
            initial["kind"] = request.GET["kind"]
        form = CorrectionForm(station=station, initial=initial)
    context = {"station": station, "form": form, "limited": limited}
    return render(request, "stations/correction_form.html", context, status=status)


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


@staff_view(is_station_manager)
@require_POST
def correction_action(request, pk, action):
    """Accept or dismiss one correction from the console (404 outside the gatekeeper)."""
    correction = get_object_or_404(
        StationCorrection.objects.visible_to(request.user).select_related("station"), pk=pk
    )
    try:
        if action == "accept":
            services.station_correction_accept(correction=correction, actor=request.user)
            if correction.kind in services.APPLIED_ON_ACCEPT:
                messages.success(request, gettext("Correction accepted and applied."))
            else:
                messages.warning(
                    request,
                    gettext(
                        "Correction accepted. Change the station to match it: "
                        "opening hours, amenities or closure are edited in the admin."
                    ),
                )
        elif action == "dismiss":
            form = DismissForm(request.POST)
            if not form.is_valid():
                messages.error(request, gettext("Give a reason to dismiss a correction."))
            else:
                services.station_correction_dismiss(
                    correction=correction, actor=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, gettext("Correction dismissed."))
        else:
            raise Http404
    except services.CorrectionError as exc:
        messages.error(request, str(exc))
    return redirect("stations:console-station", slug=correction.station.slug)
