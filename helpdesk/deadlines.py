"""Deadlines for help requests, counted in local (TIME_ZONE) working days.

Working days are Monday to Friday, minus the dates in ``settings.CARE_HOLIDAYS`` (ISO dates,
empty by default) plus the make-up working weekend days in ``settings.CARE_EXTRA_WORKDAYS``
(调休). Transfer limits are wall-clock minutes: a breakdown at night cannot wait for Monday.
Urgent and rescue requests stay urgent at every later step too: their feedback, resolution
and call-back deadlines are wall-clock hours (``settings.HELP_URGENT_*_HOURS``), nights,
weekends and holidays included.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings

from helpdesk.choices import Category, State
from helpdesk.models.requests import CategoryDeadline, HelpRequest
from portal.lib.timezone import local_tz

# Defaults after the transport hotline's "2252" practice.
DEFAULT_TRANSFER_MINUTES = 120
DEFAULT_URGENT_TRANSFER_MINUTES = 15
DEFAULT_FEEDBACK_DAYS = 2
DEFAULT_RESOLVE_DAYS = 5
DEFAULT_FOLLOW_UP_DAYS = 2


@dataclass(frozen=True)
class Limits:
    transfer_minutes: int = DEFAULT_TRANSFER_MINUTES
    urgent_transfer_minutes: int = DEFAULT_URGENT_TRANSFER_MINUTES
    feedback_working_days: int = DEFAULT_FEEDBACK_DAYS
    resolve_working_days: int = DEFAULT_RESOLVE_DAYS
    follow_up_working_days: int = DEFAULT_FOLLOW_UP_DAYS


def limits_for(category: str) -> Limits:
    """Return the deadlines of ``category``: its admin row if there is one, else the defaults."""
    row = CategoryDeadline.objects.filter(category=category).first()
    if row is None:
        return Limits()
    return Limits(
        transfer_minutes=row.transfer_minutes,
        urgent_transfer_minutes=row.urgent_transfer_minutes,
        feedback_working_days=row.feedback_working_days,
        resolve_working_days=row.resolve_working_days,
        follow_up_working_days=row.follow_up_working_days,
    )


def _dates(name: str) -> set[date]:
    return {date.fromisoformat(str(value)) for value in getattr(settings, name, ())}


def is_working_day(day: date) -> bool:
    if day in _dates("CARE_EXTRA_WORKDAYS"):
        return True
    return day.weekday() < 5 and day not in _dates("CARE_HOLIDAYS")


def add_working_days(start: datetime, days: int) -> datetime:
    """Return the same local wall-clock time ``days`` working days after ``start``.

    A start on a weekend or holiday counts from that day's time as if it were the next
    working day: Saturday 10:00 + 2 working days is Tuesday 10:00.
    """
    zone = local_tz()
    local = start.astimezone(zone)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    result = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone)
    return result


def is_urgent(request: HelpRequest) -> bool:
    """Tell whether ``request`` runs on urgent deadlines: ticked urgent, or a rescue."""
    return bool(request.urgent or request.category == Category.RESCUE)


def _urgent_due(state: str, since: datetime) -> datetime | None:
    hours = {
        State.TRANSFERRED: settings.HELP_URGENT_FEEDBACK_HOURS,
        State.REOPENED: settings.HELP_URGENT_FEEDBACK_HOURS,
        State.IN_PROGRESS: settings.HELP_URGENT_RESOLVE_HOURS,
        State.RESOLVED: settings.HELP_URGENT_FOLLOW_UP_HOURS,
    }.get(state)
    return None if hours is None else since + timedelta(hours=hours)


def due_for(request: HelpRequest, *, state: str, since: datetime) -> datetime | None:
    """Return when the next step is due for ``request`` entering ``state`` at ``since``.

    Urgent requests (``is_urgent``) get wall-clock hours at every step; others count
    working days after the transfer.
    """
    limits = limits_for(request.category)
    if state == State.RECEIVED:
        minutes = limits.urgent_transfer_minutes if is_urgent(request) else limits.transfer_minutes
        return since + timedelta(minutes=minutes)
    if is_urgent(request):
        return _urgent_due(state, since)
    if state in (State.TRANSFERRED, State.REOPENED):
        return add_working_days(since, limits.feedback_working_days)
    if state == State.IN_PROGRESS:
        return add_working_days(since, limits.resolve_working_days)
    if state == State.RESOLVED:
        return add_working_days(since, limits.follow_up_working_days)
    return None
