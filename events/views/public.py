"""Care events for everyone: list, notice, calendar files."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from events.forms import (
    EventFilterForm,
)
from events.ical import calendar_bytes
from events.models import Event
from portal.lib.jsonscript import script_json

UPCOMING_LIMIT = 50
PAST_LIMIT = 20

SCHEMA_STATUS = {
    Event.Status.SCHEDULED: "https://schema.org/EventScheduled",
    Event.Status.POSTPONED: "https://schema.org/EventPostponed",
    Event.Status.CANCELLED: "https://schema.org/EventCancelled",
}


# --- Public -------------------------------------------------------------------------------


@require_safe
def event_list(request):
    form = EventFilterForm(request.GET or None)
    upcoming = Event.objects.upcoming().for_display()
    past = Event.objects.recent_past().for_display()
    kind = form.cleaned_data["kind"] if form.is_bound and form.is_valid() else ""
    if kind:
        upcoming, past = upcoming.filter(kind=kind), past.filter(kind=kind)
    # webcal:// makes phones subscribe (and refresh) rather than import a one-off copy.
    feed_url = request.build_absolute_uri(reverse("events:calendar"))
    webcal_url = "webcal://" + feed_url.split("://", 1)[1]
    return render(
        request,
        "events/list.html",
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
    return script_json(data)


@require_safe
def event_detail(request, pk):
    event = get_object_or_404(Event.objects.published().for_display(), pk=pk)
    photos = list(event.photos.all())
    json_ld = format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(event_json_ld(event, request)),  # noqa: S308 - JSON with <, >, & escaped
    )
    return render(
        request,
        "events/detail.html",
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
