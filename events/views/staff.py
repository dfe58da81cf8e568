"""The organizers' staff pages: events and care visits of their own organisations."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.permissions import is_organizer, staff_view
from events import services
from events.forms import (
    EventCancelForm,
    EventForm,
    EventPostponeForm,
    EventReportForm,
    VisitForm,
)
from events.models import Event, Visit
from members.models import AccessLog, Person
from members.services import access_log_record


@require_safe
@staff_view(is_organizer)
def staff_event_list(request):
    events = list(Event.objects.editable_by(request.user).for_display().order_by("-starts_at"))
    return render(request, "events/staff_list.html", {"events": events})


@require_http_methods(["GET", "POST"])
@staff_view(is_organizer)
def staff_event_edit(request, pk=None):
    event = None
    if pk is not None:
        event = get_object_or_404(Event.objects.editable_by(request.user), pk=pk)
    form = EventForm(request.POST or None, request.FILES or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_save(
                event=form.save(commit=False),
                by=request.user,
                cover=form.cleaned_data.get("cover_upload"),
                remove_cover=form.cleaned_data.get("remove_cover", False),
            )
        except ValidationError as exc:
            # The cover could not be written (a full disk): nothing is saved.
            form.add_error("cover_upload", exc)
        else:
            saved = form.instance
            if saved.published:
                text = _("“%(title)s” is saved; it is on the portal.")
            else:
                text = _(
                    "“%(title)s” is saved as a draft: drivers do not see it until you publish it."
                )
            messages.success(request, text % {"title": saved.title})
            return redirect("events:staff-list")
    if form.is_bound and form.errors and request.FILES.get("cover_upload"):
        if "cover_upload" not in form.errors:
            # A browser never keeps a chosen file across pages: say so at the field.
            form.add_error(
                "cover_upload",
                _("Choose the cover image again: a file cannot be kept while the form has errors."),
            )
    return render(request, "events/staff_form.html", {"form": form, "event": event})


@require_POST
@staff_view(is_organizer)
def staff_event_publish(request, pk):
    event = get_object_or_404(Event.objects.editable_by(request.user), pk=pk)
    publish = request.POST.get("published") == "1"
    if not publish and "confirmed" not in request.POST:
        # Taking a notice off the portal asks first.
        question = _("Withdraw “%(title)s” from the portal? Drivers will no longer see it.")
        return render(
            request,
            "events/staff_confirm.html",
            {
                "event": event,
                "question": question % {"title": event.title},
                "action": reverse("events:staff-publish", args=[event.pk]),
                "fields": [("published", "0")],
                "button": _("Withdraw"),
            },
        )
    services.event_publish(event=event, published=publish)
    if publish:
        text = _("“%(title)s” is published: drivers see it now.")
    else:
        text = _("“%(title)s” is withdrawn from the portal.")
    messages.success(request, text % {"title": event.title})
    return redirect("events:staff-list")


@require_http_methods(["GET", "POST"])
@staff_view(is_organizer)
def staff_event_postpone(request, pk):
    """Postpone to a new date or to one "to be announced"; the old date stays on record."""
    event = get_object_or_404(Event.objects.editable_by(request.user), pk=pk)
    if event.is_cancelled:
        messages.error(
            request, _("“%(title)s” is cancelled; it cannot be postponed.") % {"title": event.title}
        )
        return redirect("events:staff-list")
    form = EventPostponeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.event_postpone(
            event=event, note=data["note"], starts_at=data["starts_at"], ends_at=data["ends_at"]
        )
        if data["starts_at"]:
            text = _("“%(title)s” is postponed to %(date)s.") % {
                "title": event.title,
                "date": date_format(event.local_starts_at, "DATETIME_FORMAT"),
            }
        else:
            text = _("“%(title)s” is postponed; the new date is to be announced.") % {
                "title": event.title
            }
        messages.success(request, text)
        return redirect("events:staff-list")
    return render(request, "events/staff_postpone.html", {"form": form, "event": event})


@require_http_methods(["GET", "POST"])
@staff_view(is_organizer)
def staff_event_cancel(request, pk):
    event = get_object_or_404(Event.objects.editable_by(request.user), pk=pk)
    form = EventCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.event_cancel(event=event, note=form.cleaned_data["note"])
        messages.success(
            request,
            _("“%(title)s” is cancelled; it stays listed, marked cancelled.")
            % {"title": event.title},
        )
        return redirect("events:staff-list")
    return render(request, "events/staff_cancel.html", {"form": form, "event": event})


@require_http_methods(["GET", "POST"])
@staff_view(is_organizer)
def staff_event_report(request, pk):
    event = get_object_or_404(Event.objects.editable_by(request.user), pk=pk)
    if not event.may_report():
        if event.is_cancelled:
            text = _("“%(title)s” was cancelled: there is nothing to report.")
        else:
            text = _("“%(title)s” has not taken place yet: report on it afterwards.")
        messages.error(request, text % {"title": event.title})
        return redirect("events:staff-list")
    form = EventReportForm(request.POST or None, request.FILES or None, instance=event)
    if request.method == "POST" and form.is_valid():
        caption = form.cleaned_data["photo_caption"]
        try:
            services.event_record_report(
                event=event,
                people_reached=form.cleaned_data["people_reached"],
                report=form.cleaned_data["report"],
                report_en=form.cleaned_data["report_en"] or "",
                report_vi=form.cleaned_data["report_vi"] or "",
                photos=[(photo, caption) for photo in form.cleaned_data["photos"]],
            )
        except ValidationError as exc:
            # A photo could not be written (a full disk): nothing of the report is saved.
            form.add_error("photos", exc)
        else:
            messages.success(
                request, _("The report on “%(title)s” is saved.") % {"title": event.title}
            )
            return redirect("events:staff-list")
    photos = list(event.photos.all())
    return render(
        request, "events/staff_report.html", {"form": form, "event": event, "photos": photos}
    )


@require_safe
@staff_view(is_organizer)
def staff_visit_list(request):
    scoped = Visit.objects.editable_by(request.user)
    visits = list(scoped.select_related("organisation")[:200])
    total = scoped.total_person_times()
    return render(request, "events/staff_visits.html", {"visits": visits, "total": total})


@require_http_methods(["GET", "POST"])
@staff_view(is_organizer)
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
        saved = form.instance
        messages.success(
            request,
            _("The visit of %(date)s by %(organisation)s is saved.")
            % {"date": date_format(saved.date), "organisation": saved.organisation.name},
        )
        return redirect("events:staff-visits")
    return render(request, "events/staff_visit_form.html", {"form": form, "visit": visit})
