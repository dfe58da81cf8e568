"""Escalation up the assistance chain 个人—党员—党支部—行业党委 when a deadline is missed.

``escalate_overdue`` runs every minute from cron (``manage.py escalate_overdue``); each
overdue open request moves exactly one level up, gets a fresh deadline for its state (urgent
requests in wall-clock hours) and its new holder is told at once (the notice outbox; the
request shows in the new holder's staff queue from the same commit).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Organisation, User
from accounts.roles import HELP_HANDLERS
from helpdesk.choices import OPEN_STATES, Level, State
from helpdesk.models.requests import HelpEvent, HelpRequest
from helpdesk.services.notices import holder_notify, overdue_notify
from helpdesk.services.requests import locked_request, record_move

BRANCH_KINDS = {Organisation.Kind.BRANCH, Organisation.Kind.JOINT_BRANCH}


@dataclass(frozen=True)
class Step:
    """Who holds a request one step up the chain: a named helper or an organisation."""

    level: int
    organisation: Organisation | None = None
    helper: User | None = None


def duty_member(request: HelpRequest) -> User | None:
    """Return the party member who takes an unclaimed request at the member level.

    The station's own helper when the request came from a station that names a person;
    else the help handler working for a party branch who holds the fewest open requests
    (the oldest account on a tie). One query.
    """
    station = request.station
    if station is not None and station.helper_user_id is not None:
        helper = station.helper_user
        if helper is not None and helper.is_active:
            return helper
    return (
        User.objects.filter(
            is_active=True,
            is_staff=True,
            groups__name=HELP_HANDLERS,
            organisations__kind__in=BRANCH_KINDS,
        )
        .annotate(
            load=Count(
                "held_help_requests",
                filter=Q(held_help_requests__state__in=OPEN_STATES),
                distinct=True,
            )
        )
        .order_by("load", "pk")
        .first()
    )


def _branch_of(helper: User) -> Organisation | None:
    return Organisation.objects.filter(staff=helper, kind__in=BRANCH_KINDS).order_by("pk").first()


def _committee_step(organisation: Organisation | None) -> Step | None:
    committee = (
        Organisation.objects.committee_above(organisation)
        if organisation is not None
        else Organisation.objects.top_committee()
    )
    if committee is None or (organisation is not None and committee.pk == organisation.pk):
        return None
    return Step(Level.COMMITTEE, organisation=committee)


def next_holder(request: HelpRequest) -> Step | None:
    """Return the holder one level up the assistance chain, or None at the top.

    The chain is walked one level at a time, never skipping one that has a holder:
    unclaimed (individual) → a party member (``duty_member``) → that member's party branch
    → the industry party committee above the branch. A level is passed over only when
    nobody can hold it (no help handler in any branch; a helper with no branch).
    """
    if request.level >= Level.COMMITTEE:
        return None
    if request.level < Level.MEMBER and request.holder_user is None:
        if request.holder_organisation is None:
            member = duty_member(request)
            if member is not None:
                return Step(Level.MEMBER, helper=member)
            return _committee_step(None)
    helper = request.holder_user
    if helper is not None:
        branch = _branch_of(helper)
        if branch is not None:
            return Step(Level.BRANCH, organisation=branch)
        return _committee_step(None)
    return _committee_step(request.holder_organisation)


def help_request_escalate(*, request: HelpRequest, now: datetime | None = None) -> bool:
    """Move an overdue request one level up the chain; return whether it moved.

    Idempotent: a request that is not overdue (any more), closed, or already at the top
    is left alone, so running this twice changes nothing the second time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        request = locked_request(request)
        if request.state not in OPEN_STATES or request.due_at is None or request.due_at > now:
            return False
        step = next_holder(request)
        if step is None:
            # At the top of the chain: its groups hear once per missed deadline.
            overdue_notify(request, now=now)
            return False
        to_state = State.TRANSFERRED if request.state == State.RECEIVED else request.state
        request.holder_organisation = step.organisation
        request.holder_user = step.helper
        request.level = step.level
        record_move(
            request,
            kind=HelpEvent.Kind.ESCALATED,
            to_state=to_state,
            actor=None,
            now=now,
            to_organisation=step.organisation,
            to_user=step.helper,
            text=gettext("Deadline missed; passed up the assistance chain."),
        )
        holder_notify(request, kind="escalated", now=now)
    return True


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every overdue open request once; return how many moved.

    Requests already at the top of the chain stay where they are; their groups get one
    "overdue" alert per missed deadline.
    """
    now = now or timezone.now()
    ids = list(HelpRequest.objects.open().filter(due_at__lte=now).values_list("pk", flat=True))
    return sum(help_request_escalate(request=HelpRequest(pk=pk), now=now) for pk in ids)
