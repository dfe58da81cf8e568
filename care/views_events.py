"""Care events: public list, notice, calendar files; the organizers' staff pages."""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from care import services_events as services
from care.forms_events import (
    EventCancelForm,
    EventFilterForm,
    EventForm,
    EventReportForm,
    VisitForm,
)
from care.ical import calendar_bytes
from care.models import Event, Visit
from care.models.events import LOCAL_TZ
from members.models import AccessLog, Person
from members.roles import ORGANIZERS, has_role
from members.services import access_log_record

UPCOMING_LIMIT = 50
PAST_LIMIT = 20
HOME_LIMIT = 3

SCHEMA_STATUS = {
    Event.Status.SCHEDULED: "https://schema.org/EventScheduled",
    Event.Status.POSTPONED: "https://schema.org/EventPostponed",
    Event.Status.CANCELLED: "https://schema.org/EventCancelled",
}
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def local_time(view):
    """Show and read every date of ``view`` in Asia/Shanghai, whatever TIME_ZONE says."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with timezone.override(LOCAL_TZ):
            return view(request, *args, **kwargs)

    return wrapper


def organizer_required(view):
    """Signed-in organizers (and superusers) only: others signed in get 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not has_role(request.user, ORGANIZERS):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def home_events(limit: int = HOME_LIMIT) -> list[Event]:
    """The next few published events, for the home page (one query)."""
    return list(Event.objects.upcoming().for_display()[:limit])


# --- Public -------------------------------------------------------------------------------


@require_safe
@local_time
def event_list(request):
    form = EventFilterForm(request.GET or None)
    upcoming = Event.objects.upcoming().for_display()
    past = Event.objects.recent_past().for_display()
    kind = form.cleaned_data["kind"] if form.is_bound and form.is_valid() else ""
    if kind:
        upcoming, past = upcoming.filter(kind=kind), past.filter(kind=kind)
    # webcal:// makes phones subscribe (and refresh) rather than import a one-off copy.
    feed_url = request.build_absolute_uri(reverse("care:events-ics"))
    webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    return render(
        request,
        "care/events/list.html",
        {
            "form": form,
            "kind": kind,
            "upcoming": list(upcoming[:UPCOMING_LIMIT]),
            "past": list(past[:PAST_LIMIT]),
            "webcal_url": webcal_url,
        },
    )


def event_json_ld(event: Event, request) -> str:
    """Return schema.org Event JSON-LD for ``event``, safe inside a <script> element."""
    if event.station_id:
        location = {
            "@type": "Place",
            "name": event.station.name,
            "url": request.build_absolute_uri(event.station.get_absolute_url()),
            "geo": {
                "@type": "GeoCoordinates",
                "latitude": event.station.latitude,
                "longitude": event.station.longitude,
            },
        }
    else:
        location = {"@type": "Place", "name": event.place, "address": event.place}
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.description,
        "startDate": event.local_starts_at.isoformat(),
        "endDate": event.local_ends_at.isoformat(),
        "eventStatus": SCHEMA_STATUS[event.status],
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": location,
        "organizer": {"@type": "Organization", "name": event.organisation.name},
        "url": request.build_absolute_uri(event.get_absolute_url()),
        "isAccessibleForFree": True,
    }
    if event.capacity:
        data["maximumAttendeeCapacity"] = event.capacity
    if event.cover:
        data["image"] = request.build_absolute_uri(event.cover.url)
    return json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)


@require_safe
@local_time
def event_detail(request, pk):
    event = get_object_or_404(Event.objects.published().for_display(), pk=pk)
    photos = list(event.photos.all())
    json_ld = format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(event_json_ld(event, request)),  # noqa: S308 - JSON with <, >, & escaped
    )
    return render(
        request,
        "care/events/detail.html",
        {"event": event, "photos": photos, "json_ld": json_ld, "is_over": event.is_over()},
    )


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def event_ics(request, pk):
    event = get_object_or_404(Event.objects.published().for_display(), pk=pk)
    body = calendar_bytes([event], request=request, name=event.title)
    return _ics_response(body, f"event-{event.pk}.ics")


@require_safe
def events_ics(request):
    events = Event.objects.in_feed().for_display().order_by("starts_at", "pk")
    body = calendar_bytes(events, request=request, name=_("Driver Home care events"))
    return _ics_response(body, "events.ics")


# --- Organizers ---------------------------------------------------------------------------


@require_safe
@organizer_required
@local_time
def staff_event_list(request):
    events = list(Event.objects.editable_by(request.user).for_display().order_by("-starts_at"))
    return render(request, "care/events/staff_list.html", {"events": events})


@require_http_methods(["GET", "POST"])
@organizer_required
@local_time
def staff_event_edit(request, pk=None):
    event = None
    if pk is not None:
        event = get_object_or_404(Event.objects.editable_by(request.user), pk=pk)
    form = EventForm(request.POST or None, request.FILES or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.event_save(
            event=form.save(commit=False),
            by=request.user,
            cover=form.cleaned_data.get("cover_upload"),
            remove_cover=form.cleaned_data.get("remove_cover", False),
        )
        messages.success(request, _("The event is saved."))
        return redirect("care:staff-event-list")
    return render(request, "care/events/staff_form.html", {"form": form, "event": event})


@require_POST
@organizer_required
def staff_event_publish(request, pk):
    event = get_object_or_404(Event.objects.editable_by(request.user), pk=pk)
    publish = request.POST.get("published") == "1"
    services.event_publish(event=event, published=publish)
    messages.success(
        request, _("The event is published.") if publish else _("The event is withdrawn.")
    )
    return redirect("care:staff-event-list")


@require_http_methods(["GET", "POST"])
@organizer_required
@local_time
def staff_event_cancel(request, pk):
    event = get_object_or_404(Event.objects.editable_by(request.user), pk=pk)
    form = EventCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.event_cancel(event=event, note=form.cleaned_data["note"])
        messages.success(request, _("The event is cancelled; it stays listed, marked cancelled."))
        return redirect("care:staff-event-list")
    return render(request, "care/events/staff_cancel.html", {"form": form, "event": event})


@require_http_methods(["GET", "POST"])
@organizer_required
@local_time
def staff_event_report(request, pk):
    event = get_object_or_404(Event.objects.editable_by(request.user), pk=pk)
    form = EventReportForm(request.POST or None, request.FILES or None, instance=event)
    if request.method == "POST" and form.is_valid():
        caption = form.cleaned_data["photo_caption"]
        services.event_record_report(
            event=event,
            people_reached=form.cleaned_data["people_reached"],
            report=form.cleaned_data["report"],
            photos=[(photo, caption) for photo in form.cleaned_data["photos"]],
        )
        messages.success(request, _("The report is saved."))
        return redirect("care:staff-event-list")
    photos = list(event.photos.all())
    return render(
        request, "care/events/staff_report.html", {"form": form, "event": event, "photos": photos}
    )


@require_safe
@organizer_required
def staff_visit_list(request):
    scoped = Visit.objects.editable_by(request.user)
    visits = list(scoped.select_related("organisation")[:200])
    total = scoped.total_person_times()
    return render(request, "care/events/staff_visits.html", {"visits": visits, "total": total})


@require_http_methods(["GET", "POST"])
@organizer_required
def staff_visit_edit(request, pk=None):
    visit = None
    if pk is not None:
        visit = get_object_or_404(Visit.objects.editable_by(request.user), pk=pk)
    form = VisitForm(request.POST or None, instance=visit, user=request.user)
    if form.shows_people:
        # The form lists member records: that read is logged like any other.
        access_log_record(
            user=request.user,
            action=AccessLog.Action.LIST,
            model=Person,
            count=form.fields["people"].queryset.count(),
        )
    if request.method == "POST" and form.is_valid():
        services.visit_save(
            visit=form.save(commit=False),
            by=request.user,
            people=form.cleaned_data.get("people") if form.shows_people else None,
        )
        messages.success(request, _("The visit is saved."))
        return redirect("care:staff-visit-list")
    return render(request, "care/events/staff_visit_form.html", {"form": form, "visit": visit})
