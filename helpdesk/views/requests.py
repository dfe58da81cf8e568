"""Help requests: the public form and tracking page, and the dispatcher queue."""

import math

from django import forms as django_forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from helpdesk.figures import help_figures
from helpdesk.forms import requests as forms
from helpdesk.models.requests import HelpEvent, HelpRequest
from helpdesk.services import requests as services
from portal.lib.net import client_ip
from portal.lib.ratelimit import backoff_clear, backoff_fail, backoff_wait, take
from stations.models import Station

Kind = HelpEvent.Kind

# What a driver reads on the tracking page; staff names, notes and reasons never appear.
PUBLIC_STEPS = {
    Kind.RECEIVED: _("Received"),
    Kind.TRANSFERRED: _("Passed to a helper"),
    Kind.ESCALATED: _("Passed to a higher level"),
    Kind.STARTED: _("Being handled"),
    Kind.RESOLVED: _("Solved"),
    Kind.FOLLOWED_UP: _("Called back"),
    Kind.REOPENED: _("Called back; being handled again"),
    Kind.CLOSED: pgettext_lazy("help request state", "Closed"),
    Kind.DUPLICATE: _("Joined with an earlier request about the same problem"),
    Kind.NOT_FOR_US: _("Outside this service; we will tell you where to turn"),
    Kind.WITHDRAWN: _("Withdrawn"),
}


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def help_form(request):
    if request.method == "POST" and "find_station" in request.POST:
        return _station_search_step(request)
    if request.method == "POST":
        form = forms.HelpRequestForm(request.POST, stations=_stations_named(request.POST))
        if form.is_valid():
            data = form.cleaned_data
            existing = HelpRequest.objects.filter(form_token=data["token"]).first()
            if existing is None:
                limited = _limited(request, data["phone"])
                if limited:
                    return render(
                        request,
                        "helpdesk/requests/form.html",
                        {"form": form, "limited": limited},
                        status=429,
                    )
                existing, _created = services.help_request_submit(
                    form_token=data["token"],
                    category=data["category"],
                    description=data["description"].strip(),
                    phone=data["phone"],
                    name=data["name"].strip(),
                    station=data["station"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    location_text=data["location_text"].strip(),
                    urgent=data["urgent"],
                    sms_opt_in=data["sms_opt_in"],
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                )
            request.session["help_code"] = existing.code
            return redirect("helpdesk:sent")
    else:
        stations = _stations_named(request.GET)
        initial = {"station": stations[0].slug} if stations else {}
        form = forms.HelpRequestForm(initial=initial, stations=stations)
    return render(
        request,
        "helpdesk/requests/form.html",
        {"form": form, "min_fill_seconds": settings.HELP_MIN_FILL_SECONDS},
    )


# Stations a search step offers.
STATION_MATCHES = 8


def _stations_named(data) -> list:
    """The station the query or the form names (``station=<slug>``), as a one-item list."""
    slug = forms.valid_slug(data.get("station"))
    station = Station.objects.published().filter(slug=slug).first() if slug else None
    return [station] if station else []


def _station_search_step(request):
    """Re-show the form as typed, with the stations matching the search to pick from.

    Nearest first when the driver shared a position, else in the list's road order; at
    most ``STATION_MATCHES``, in one query whatever the number of stations. Nothing is
    checked or sent in this step: the signed token is kept, so the fill time runs on.
    """
    from stations.geo import format_distance

    form = forms.HelpRequestForm(request.POST)
    query = str(request.POST.get("station_q", "")).replace("\x00", "").strip()[:100]
    try:
        lat = forms._coordinate(request.POST.get("latitude"), -90, 90)
        lng = forms._coordinate(request.POST.get("longitude"), -180, 180)
    except ValidationError:
        lat = lng = None  # an unreadable position only loses the nearest-first order
    stations = Station.objects.published().search(query)
    if lat is not None and lng is not None:
        matches = stations.nearest(float(lat), float(lng), limit=STATION_MATCHES)
        for station in matches:
            station.distance_label = format_distance(station.distance_m)
    elif query:
        matches = list(stations.in_driver_order()[:STATION_MATCHES])
    else:
        matches = []
    chosen = _stations_named(request.POST)
    matches = chosen + [s for s in matches if not chosen or s.pk != chosen[0].pk]
    initial = {name: request.POST.get(name, "") for name in form.fields}
    for name, field in form.fields.items():
        if isinstance(field, django_forms.BooleanField):
            initial[name] = name in request.POST
    initial["station"] = chosen[0].slug if chosen else (matches[0].slug if matches else "")
    form = forms.HelpRequestForm(initial=initial, stations=matches)
    if request.POST.get("token"):
        form.initial["token"] = request.POST["token"]
    return render(
        request,
        "helpdesk/requests/form.html",
        {
            "form": form,
            "min_fill_seconds": settings.HELP_MIN_FILL_SECONDS,
            "station_search": {"query": query, "found": len(matches) - len(chosen)},
        },
    )


def _limited(request, phone: str) -> str:
    """Take a slot of each limit; return the message to show when one is used up."""
    if not take("help-ip", client_ip(request), settings.HELP_RATE_PER_IP):
        return gettext(
            "Many requests were sent from this network just now. Please call the rescue line."
        )
    if not take("help-phone", phone, settings.HELP_RATE_PER_PHONE):
        return gettext(
            "This phone number has sent several requests today. Please call the rescue line."
        )
    return ""


@never_cache
@require_safe
def help_sent(request):
    code = request.session.get("help_code") or ""
    display = f"{code[:4]}-{code[4:]}" if code else ""
    return render(request, "helpdesk/requests/sent.html", {"display_code": display})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def help_track(request):
    context = {}
    status = 200
    if request.method == "POST":
        form = forms.TrackForm(request.POST)
        if not take("help-track", client_ip(request), settings.HELP_TRACK_RATE_PER_IP):
            context["limited"] = True
            status = 429
        elif form.is_valid():
            code = services.code_normalize(form.cleaned_data["code"])
            # Wrong tries are also counted per code, from all addresses together, so an
            # overheard code cannot be paired with all 10,000 endings; the waits grow but
            # stay short, so the rightful driver is never locked out for long.
            wait = (
                backoff_wait(
                    "help-track-code",
                    code,
                    free=settings.HELP_TRACK_FREE_TRIES,
                    first=settings.HELP_TRACK_FIRST_DELAY,
                    longest=settings.HELP_TRACK_MAX_DELAY,
                )
                if code
                else 0
            )
            if wait:
                context["wait_minutes"] = max(1, math.ceil(wait / 60))
                status = 429
            else:
                found = HelpRequest.objects.filter(code=code).first() if code else None
                if found is not None and found.phone.endswith(form.cleaned_data["last4"]):
                    backoff_clear("help-track-code", code)
                    context["found"] = found
                    context["steps"] = [
                        {"label": PUBLIC_STEPS[event.kind], "at": event.created_at}
                        for event in found.events.exclude(kind=Kind.NOTE)
                        if event.kind in PUBLIC_STEPS
                    ]
                else:
                    if code:
                        backoff_fail(
                            "help-track-code", code, forget=settings.HELP_TRACK_FORGET_AFTER
                        )
                    context["not_found"] = True
    else:
        form = forms.TrackForm()
    context["form"] = form
    return render(request, "helpdesk/requests/track.html", context, status=status)


@require_safe
def help_privacy(request):
    # The member records' access-log rule is shown here too (docs/members.md).
    context = {"access_log_days": settings.ACCESS_LOG_RETENTION_DAYS}
    return render(request, "helpdesk/requests/privacy.html", context)


@require_safe
def help_figures_page(request):
    return render(request, "helpdesk/requests/figures.html", {"figures": help_figures()})
