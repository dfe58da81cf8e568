"""Drivers' reports from a station page, without an account: truck parking right now.

The same anti-abuse as the help form: a signed per-render token (a resent POST stores one
report), a honeypot, a minimum fill time, and shared rate limits per address and per
station (``portal.lib.ratelimit``). Nothing about the driver is kept: not the address
(it only names a rate-limit slot, hashed), not the agent.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.lib.forms import BotCheckedForm
from portal.lib.net import client_ip
from portal.lib.ratelimit import take

from .models import ParkingLevel, ReportSource, Station
from .parking import parking_now
from .services import station_parking_report


class DriverParkingForm(BotCheckedForm):
    """A driver's "full" or "spaces free"; the station page's link leads here."""

    token_salt = "stations.parking"  # noqa: S105 (a salt, not a secret)
    level = forms.ChoiceField(
        label=_("Truck parking now"),
        choices=[(ParkingLevel.FULL, _("Full")), (ParkingLevel.FEW, _("Spaces free"))],
    )


def report_limited(request, station: Station) -> str:
    """Take a slot of each drivers' report limit; return the message when one is used up."""
    if not take("station-report-ip", client_ip(request), settings.STATION_REPORT_RATE_PER_IP):
        return gettext("Many reports were sent from this network just now. Try again later.")
    if not take("station-report", str(station.pk), settings.STATION_REPORT_RATE_PER_STATION):
        return gettext("This station has had many reports just now. Try again later.")
    return ""


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def parking_report(request, slug):
    station = get_object_or_404(Station.objects.published(), slug=slug)
    status = 200
    limited = ""
    if request.method == "POST":
        form = DriverParkingForm(request.POST)
        if form.is_valid():
            token = form.cleaned_data["token"]
            limited = report_limited(request, station)
            if not limited:
                station_parking_report(
                    station=station,
                    level=form.cleaned_data["level"],
                    source=ReportSource.DRIVERS,
                    form_token=token,
                )
                messages.success(request, gettext("Thank you: other drivers see your report now."))
                return redirect(station.get_absolute_url() + "#parking")
            status = 429
        else:
            status = 400
    else:
        form = DriverParkingForm()
    context = {
        "station": station,
        "form": form,
        "limited": limited,
        "parking": parking_now(station),
    }
    return render(request, "stations/parking_report.html", context, status=status)
