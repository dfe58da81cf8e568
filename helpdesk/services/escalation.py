"""Escalation up the assistance chain 个人—党员—党支部—行业党委 when a deadline is missed.

``escalate_overdue`` runs every minute from cron (``manage.py escalate_overdue``); each
overdue open request moves one level up, gets a fresh deadline and its new holder is told.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Organisation
from helpdesk.choices import OPEN_STATES, Level, State
from helpdesk.models.requests import HelpEvent, HelpRequest
from helpdesk.services.notices import holder_notify, overdue_notify
from helpdesk.services.requests import locked_request, record_move

BRANCH_KINDS = {Organisation.Kind.BRANCH, Organisation.Kind.JOINT_BRANCH}


def _at_committee(committee: Organisation | None) -> tuple[Organisation, int] | None:
    return (committee, Level.COMMITTEE) if committee is not None else None


def next_holder(request: HelpRequest) -> tuple[Organisation, int] | None:
    """Return (organisation, level) one step up the chain, or None at the top.

    A named helper (party member) → their party branch; a branch or partner body → the
    industry party committee above it; a request nobody took in time → the committee.
    """
    if request.level >= Level.COMMITTEE:
        return None
    helper = request.holder_user
    if helper is not None:
        organisations = list(Organisation.objects.filter(staff=helper))
        branch = next((o for o in organisations if o.kind in BRANCH_KINDS), None)
        if branch is not None:
            return branch, Level.BRANCH
        committee = next((o for o in organisations if o.kind == Organisation.Kind.COMMITTEE), None)
        return _at_committee(committee or Organisation.objects.top_committee())
    holder = request.holder_organisation
    if holder is not None:
        committee = Organisation.objects.committee_above(holder)
        if committee is None or committee.pk == holder.pk:
            return None
        return committee, Level.COMMITTEE
    return _at_committee(Organisation.objects.top_committee())


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
        organisation, level = step
        to_state = State.TRANSFERRED if request.state == State.RECEIVED else request.state
        request.holder_organisation = organisation
        request.holder_user = None
        request.level = level
        record_move(
            request,
            kind=HelpEvent.Kind.ESCALATED,
            to_state=to_state,
            actor=None,
            now=now,
            to_organisation=organisation,
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
