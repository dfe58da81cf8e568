"""The committee's monthly report: the figures of one month for one organisation subtree.

Every count is limited to the chosen organisation and its sub-organisations, which must be
among those the viewer covers (``report_organisations``): help requests held by or passed
to them, their care visits, events and fulfilled micro-wishes, their party members
(suppressed aggregates from ``members.figures``) and their enterprises' liaison-duty
contacts. The highlights are the month's events with their reports and the help requests
that went overdue, with how they ended.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from io import BytesIO
from statistics import median
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.models import Organisation
from accounts.permissions import covered_organisation_ids, is_superuser
from events.models import Event, EventStatus, Visit
from helpdesk.choices import FINAL_STATES, Category, State
from helpdesk.models import HelpEvent, HelpRequest, Wish
from members.figures import duty_contact_count, member_figures
from portal.lib.spreadsheet import neutralise_formula

Kind = HelpEvent.Kind


def report_organisations(user: Any):
    """The organisations ``user`` may report on: those they cover; every one for superusers."""
    organisations = Organisation.objects.order_by("name")
    if is_superuser(user):
        return organisations
    return organisations.filter(pk__in=covered_organisation_ids(user))


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """Return the local-time start of ``month`` and of the month after."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(following, time.min, tzinfo=zone),
    )


def _median_hours(requests, kinds: list[str]) -> Any:
    """Median hours from receipt to the first event of ``kinds``, over ``requests``; "–" if none."""
    first: dict[int, datetime] = {}
    created = dict(requests.values_list("pk", "created_at"))
    events = HelpEvent.objects.filter(request__in=list(created), kind__in=kinds).order_by(
        "created_at", "pk"
    )
    for request_id, at in events.values_list("request_id", "created_at"):
        first.setdefault(request_id, at)
    hours = [(at - created[pk]).total_seconds() / 3600 for pk, at in first.items()]
    return round(median(hours), 1) if hours else "–"


@dataclass
class MonthlyReport:
    month: date
    organisation: Organisation
    figures: list[tuple[str, Any]] = field(default_factory=list)
    members: dict = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    overdue: list[dict] = field(default_factory=list)


def monthly_report(*, organisation: Organisation, month: date) -> MonthlyReport:
    """Count the month's figures for ``organisation`` and its subtree (a dozen queries)."""
    subtree = Organisation.objects.subtree_ids([organisation.pk])
    start, end = month_bounds(month)
    now = timezone.now()
    in_month = {"created_at__gte": start, "created_at__lt": end}

    requests = HelpRequest.objects.filter(
        Q(holder_organisation__in=subtree) | Q(events__to_organisation__in=subtree)
    ).distinct()
    request_ids = requests.values("pk")
    received = requests.filter(**in_month)
    month_events = HelpEvent.objects.filter(request__in=request_ids, **in_month)
    solved = month_events.filter(kind=Kind.RESOLVED).values("request").distinct().count()
    follow_ups = list(
        month_events.filter(kind__in=[Kind.FOLLOWED_UP, Kind.REOPENED]).values_list(
            "satisfied", flat=True
        )
    )
    satisfied = (
        f"{round(100 * sum(1 for s in follow_ups if s) / len(follow_ups))} %" if follow_ups else "–"
    )

    visits = Visit.objects.filter(
        organisation__in=subtree, date__gte=start.date(), date__lt=end.date()
    )
    events = (
        Event.objects.filter(organisation__in=subtree, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=EventStatus.CANCELLED)
        .select_related("station")
        .order_by("starts_at", "pk")
    )
    held = [event for event in events if event.ends_at < now]
    wishes = Wish.objects.filter(
        claimed_by_organisation__in=subtree,
        state=Wish.State.FULFILLED,
        fulfilled_at__gte=start,
        fulfilled_at__lt=end,
    )

    report = MonthlyReport(month=month.replace(day=1), organisation=organisation)
    report.figures = [
        (_("Help requests received"), received.count()),
        (_("Help requests solved"), solved),
        (
            _("Median hours to transfer"),
            _median_hours(received, [Kind.TRANSFERRED, Kind.ESCALATED]),
        ),
        (_("Median hours to resolve"), _median_hours(received, [Kind.RESOLVED])),
        (_("Calls back to drivers"), len(follow_ups)),
        (_("Drivers called back who were satisfied"), satisfied),
        (_("Legal consultations"), received.filter(category=Category.LEGAL).count()),
        (_("Care visits"), visits.count()),
        (_("Care visits, person-times"), visits.aggregate(n=Sum("person_times"))["n"] or 0),
        (_("Events held"), len(held)),
        (_("People reached by events"), sum(event.people_reached or 0 for event in held)),
        (_("Micro-wishes fulfilled"), wishes.count()),
        (
            _("Liaison-duty contacts with enterprises"),
            duty_contact_count(subtree, start.date(), end.date()),
        ),
    ]
    members = member_figures(subtree)
    report.members = members
    report.figures += [
        (_("Party members"), members["members"]),
        (_("Probationary members"), members["probationary"]),
        (_("Mobile party members"), members["mobile"]),
        (_("Freight enterprises registered"), members["enterprises"]),
        (_("Drivers registered"), members["drivers"]),
    ]
    report.events = [
        {
            "date": timezone.localtime(event.starts_at).date(),
            "title": event.title,
            "kind": event.get_kind_display(),
            "people_reached": event.people_reached,
            "report": event.report,
            "held": event.ends_at < now,
        }
        for event in events
    ]
    # Overdue: escalated for a missed deadline this month, or still open past a deadline
    # that fell in this month.
    escalated = HelpEvent.objects.filter(
        request__in=request_ids, kind=Kind.ESCALATED, **in_month
    ).values("request")
    late = requests.filter(
        Q(pk__in=escalated)
        | Q(state__in=[s for s in State.values if s not in FINAL_STATES], due_at__gte=start)
        & Q(due_at__lt=min(end, now))
    ).order_by("created_at")
    report.overdue = [
        {
            "code": row.display_code,
            "category": row.get_category_display(),
            "received": timezone.localtime(row.created_at).date(),
            "state": row.get_state_display(),
            "ended": row.state in FINAL_STATES or row.state == State.FOLLOWED_UP,
        }
        for row in late
    ]
    return report


def report_xlsx(report: MonthlyReport) -> bytes:
    """Write the report as a workbook (figures, events, overdue); every text cell formula-safe."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")[:31]
    rows: list[list[Any]] = [
        [_("Monthly report"), f"{report.month:%Y-%m}"],
        [_("Organisation"), report.organisation.name],
        [],
        *[
            [label, value if isinstance(value, int | float) else str(value)]
            for label, value in report.figures
        ],
    ]
    for row in rows:
        sheet.append([neutralise_formula(cell) for cell in row])
    events = book.create_sheet(_("Events")[:31])
    events.append([_("date"), _("title"), _("kind"), _("people reached"), _("report")])
    for event in report.events:
        events.append(
            [
                event["date"],
                neutralise_formula(event["title"]),
                neutralise_formula(event["kind"]),
                event["people_reached"],
                neutralise_formula(event["report"]),
            ]
        )
    overdue = book.create_sheet(_("Overdue requests")[:31])
    overdue.append([_("tracking code"), _("category"), _("received"), _("state now")])
    for row in report.overdue:
        overdue.append(
            [
                neutralise_formula(row["code"]),
                neutralise_formula(row["category"]),
                row["received"],
                neutralise_formula(row["state"]),
            ]
        )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
