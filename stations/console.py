"""The station manager's console (/staff/stations/): keep one's stations live from a phone.

One tap flips an amenity's live status (with an optional note and expected end), sets
truck parking now, closes the station for now or opens it again, and marks it checked
today. Every write goes through ``stations.services`` (which records the change); the
pages only read and validate. Access: ``Station.objects.editable_by`` behind the
station-manager role: a manager sees only their own stations, anyone else gets 404.
"""

from django import forms
from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import is_station_manager, staff_view
from portal.lib.translated import column

from . import services
from .models import (
    ParkingLevel,
    ReportSource,
    Station,
    StationAmenity,
    StationChange,
    StationCorrection,
)
from .parking import parking_now

# Changes shown on a station's console page (the admin shows the whole history).
RECENT_CHANGES = 10

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _in_language(label, max_length: int, lang: str) -> forms.CharField:
    """An optional text in English or Vietnamese beside the required Chinese one."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=forms.TextInput(attrs={"lang": lang}),
    )


def _expected_moment(label) -> forms.DateTimeField:
    """An optional "expected back / reopening" time, as the phone's picker sends it."""
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class AmenityStatusForm(forms.Form):
    row = forms.IntegerField(widget=forms.HiddenInput)
    live_status = forms.ChoiceField(
        label=_("Live status"), choices=StationAmenity.LiveStatus.choices
    )
    note = forms.CharField(label=_("Note in Chinese (optional)"), max_length=200, required=False)
    note_en = _in_language(_("Note in English (optional)"), 200, "en")
    note_vi = _in_language(_("Note in Vietnamese (optional)"), 200, "vi")
    until = _expected_moment(_("Expected back (optional)"))


class ParkingForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Truck parking now"), choices=ParkingLevel.choices, widget=forms.RadioSelect
    )
    free_spaces = forms.IntegerField(
        label=_("Free spaces (optional)"), required=False, min_value=0, max_value=10_000
    )


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Reason drivers will read (Chinese)"), max_length=300)
    reason_en = _in_language(_("Reason in English (optional)"), 300, "en")
    reason_vi = _in_language(_("Reason in Vietnamese (optional)"), 300, "vi")
    reopens_at = _expected_moment(_("Expected reopening (optional)"))


def _kept(user):
    """The stations ``user`` keeps (the one gatekeeper), retired ones left out."""
    return Station.objects.editable_by(user).exclude(status=Station.Status.RETIRED)


@staff_view(is_station_manager)
@require_safe
def console_list(request):
    """The manager's own stations, each with its status, parking and out-of-order count."""
    stations = list(
        _kept(request.user)
        .annotate(
            issues=Count(
                "amenities",
                filter=~Q(amenities__live_status=StationAmenity.LiveStatus.AVAILABLE),
                distinct=True,
            ),
            open_corrections=Count(
                "corrections",
                filter=Q(corrections__state=StationCorrection.State.OPEN),
                distinct=True,
            ),
        )
        .order_by("name", "pk")
    )
    for station in stations:
        station.parking = parking_now(station)
    return render(request, "stations/console/list.html", {"stations": stations})


def _station_or_404(request, slug) -> Station:
    return get_object_or_404(
        _kept(request.user).prefetch_related(
            Prefetch("amenities", queryset=StationAmenity.objects.select_related("amenity")),
            # Only the latest few: a sliced prefetch (a window function), not the whole history.
            Prefetch(
                "changes",
                queryset=StationChange.objects.select_related("actor").order_by(
                    "-created_at", "-id"
                )[:RECENT_CHANGES],
                to_attr="recent_changes",
            ),
            Prefetch(
                "corrections",
                queryset=StationCorrection.objects.open()
                .select_related("amenity")
                .order_by("created_at", "pk"),
                to_attr="open_corrections",
            ),
        ),
        slug=slug,
    )


def _texts(obj, field: str, name: str) -> dict[str, str]:
    """Each language's stored text of ``field`` as the form's initial ``name``, ``name_en``,
    ``name_vi`` (the Chinese input shows the Chinese text whatever the page's language)."""
    return {
        name: getattr(obj, column(field, "zh-hans")) or "",
        f"{name}_en": getattr(obj, column(field, "en")) or "",
        f"{name}_vi": getattr(obj, column(field, "vi")) or "",
    }


def _render_station(request, station, *, status=200, **forms_given):
    rows = list(station.amenities.all())
    for row in rows:
        row.form = forms_given.get(f"amenity-{row.pk}") or AmenityStatusForm(
            initial={
                "row": row.pk,
                "live_status": row.live_status,
                **_texts(row, "status_note", "note"),
                "until": row.status_until,
            },
            prefix=f"a{row.pk}",
        )
    parking = parking_now(station)
    context = {
        "station": station,
        "rows": rows,
        "parking": parking,
        "parking_form": forms_given.get("parking")
        or ParkingForm(
            initial={
                "level": station.parking_level or ParkingLevel.PLENTY,
                "free_spaces": station.parking_free,
            }
        ),
        "close_form": forms_given.get("close")
        or CloseForm(
            initial={
                **_texts(station, "closure_reason", "reason"),
                "reopens_at": station.reopens_at,
            }
        ),
        "changes": station.recent_changes,
        "corrections": station.open_corrections,
    }
    return render(request, "stations/console/station.html", context, status=status)


@staff_view(is_station_manager)
@require_safe
def console_station(request, slug):
    return _render_station(request, _station_or_404(request, slug))


@staff_view(is_station_manager)
@require_POST
def console_action(request, slug, action):
    """Apply one change from the console; an invalid form re-renders with its errors."""
    station = _station_or_404(request, slug)
    user = request.user
    if action == "amenity":
        row_id = request.POST.get("row", "")
        row = next((r for r in station.amenities.all() if str(r.pk) == row_id), None)
        if row is None:
            raise Http404
        # The buttons post unprefixed; the note and date are prefixed per row.
        data = request.POST.copy()
        for name in ("row", "live_status"):
            if name in data:
                data[f"a{row.pk}-{name}"] = data[name]
        form = AmenityStatusForm(data, prefix=f"a{row.pk}")
        if not form.is_valid():
            return _render_station(request, station, status=400, **{f"amenity-{row.pk}": form})
        services.station_amenity_set(
            row=row,
            live_status=form.cleaned_data["live_status"],
            note=form.cleaned_data["note"],
            note_en=form.cleaned_data["note_en"],
            note_vi=form.cleaned_data["note_vi"],
            until=form.cleaned_data["until"],
            actor=user,
        )
        status_label = StationAmenity.LiveStatus(form.cleaned_data["live_status"]).label
        messages.success(
            request,
            gettext("%(amenity)s: %(status)s.")
            % {"amenity": row.amenity.label, "status": status_label},
        )
    elif action == "parking":
        form = ParkingForm(request.POST)
        if not form.is_valid():
            return _render_station(request, station, status=400, parking=form)
        services.station_parking_report(
            station=station,
            level=form.cleaned_data["level"],
            free_spaces=form.cleaned_data["free_spaces"],
            source=ReportSource.STATION,
            actor=user,
        )
        messages.success(request, gettext("Parking updated."))
    elif action == "close":
        form = CloseForm(request.POST)
        if not form.is_valid():
            return _render_station(request, station, status=400, close=form)
        services.station_close(
            station=station,
            reason=form.cleaned_data["reason"],
            reason_en=form.cleaned_data["reason_en"],
            reason_vi=form.cleaned_data["reason_vi"],
            reopens_at=form.cleaned_data["reopens_at"],
            actor=user,
        )
        messages.success(request, gettext("The station is shown as temporarily closed."))
    elif action == "reopen":
        services.station_reopen(station=station, actor=user)
        messages.success(request, gettext("The station is shown as open again."))
    elif action == "checked":
        services.station_check(station=station, actor=user)
        messages.success(request, gettext("Marked as checked today."))
    else:
        raise Http404
    return redirect("stations:console-station", slug=station.slug)
