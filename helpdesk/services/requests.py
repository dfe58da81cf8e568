"""Help-request writes: submission, one function per transition, escalation.

Every function runs in one transaction and locks the request row first, so two staff
clicking at once cannot both move it. An illegal transition raises ``IllegalTransition``
before anything is written; the transaction then leaves the database as it was.
"""

import logging
import secrets
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.roles import HELP_HANDLERS
from helpdesk.deadlines import due_for
from helpdesk.models.requests import OPEN_STATES, HelpEvent, HelpRequest, Level, State
from helpdesk.transitions import TRANSITIONS

logger = logging.getLogger(__name__)

# Crockford base32: no I, L, O or U, so a code read aloud is hard to mishear.
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0"})

Kind = HelpEvent.Kind


class IllegalTransition(Exception):
    """A transition that the request's current state does not allow; nothing was changed."""


def code_generate() -> str:
    """Return a new random tracking code (40 bits from the system's secure generator)."""
    return "".join(secrets.choice(CROCKFORD) for _ in range(CODE_LENGTH))


def code_normalize(raw: str) -> str:
    """Return the canonical form of a typed code: upper case, no dashes, I/L→1, O→0."""
    import unicodedata

    text = unicodedata.normalize("NFKC", str(raw or "")).upper()
    text = "".join(ch for ch in text if ch.isalnum()).translate(_CONFUSABLE)
    return text if len(text) == CODE_LENGTH and all(ch in CROCKFORD for ch in text) else ""


def help_request_submit(
    *,
    form_token: str,
    category: str,
    description: str,
    phone: str,
    name: str = "",
    station=None,
    latitude=None,
    longitude=None,
    location_text: str = "",
    urgent: bool = False,
) -> tuple[HelpRequest, bool]:
    """Store a driver's request once per form token; return (request, created).

    The same token sent again (double tap, resent POST, two at once) returns the request
    the first one stored, thanks to the unique constraint on ``form_token``.
    """
    existing = HelpRequest.objects.filter(form_token=form_token).first()
    if existing is not None:
        return existing, False
    for _attempt in range(5):
        try:
            with transaction.atomic():
                now = timezone.now()
                request = HelpRequest(
                    code=code_generate(),
                    form_token=form_token,
                    category=category,
                    description=description,
                    phone=phone,
                    name=name,
                    station=station,
                    latitude=latitude,
                    longitude=longitude,
                    location_text=location_text,
                    urgent=urgent,
                    state=State.RECEIVED,
                )
                request.due_at = due_for(request, state=State.RECEIVED, since=now)
                request.save()
                HelpEvent.objects.create(
                    request=request, kind=Kind.RECEIVED, to_state=State.RECEIVED, created_at=now
                )
                return request, True
        except IntegrityError:
            existing = HelpRequest.objects.filter(form_token=form_token).first()
            if existing is not None:
                return existing, False
            # Otherwise the random code collided: draw another.
    raise RuntimeError("could not store the help request")


def _locked(request: HelpRequest) -> HelpRequest:
    return HelpRequest.objects.select_for_update().get(pk=request.pk)


def _require(request: HelpRequest, action: str) -> None:
    """Refuse ``action`` unless the workflow table allows it from the request's state."""
    transition = TRANSITIONS[action]
    if request.state not in transition.sources:
        raise IllegalTransition(
            gettext("%(message)s (the request is now: %(state)s).")
            % {"message": transition.refusal, "state": request.get_state_display()}
        )


def _move(
    request: HelpRequest,
    *,
    kind: str,
    to_state: str,
    actor,
    now: datetime,
    text: str = "",
    satisfied=None,
    to_organisation=None,
    to_user=None,
    due_since: datetime | None = None,
) -> HelpEvent:
    event = HelpEvent.objects.create(
        request=request,
        kind=kind,
        from_state=request.state,
        to_state=to_state,
        actor=actor,
        text=text,
        satisfied=satisfied,
        to_organisation=to_organisation,
        to_user=to_user,
        created_at=now,
    )
    request.state = to_state
    request.due_at = due_for(request, state=to_state, since=due_since or now)
    request.save()
    return event


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise IllegalTransition(gettext("Give a reason."))
    return text


def level_of(*, organisation=None, helper=None) -> int:
    if helper is not None:
        return Level.MEMBER
    if organisation is not None and organisation.kind == Organisation.Kind.COMMITTEE:
        return Level.COMMITTEE
    return Level.BRANCH


@transaction.atomic
def help_request_transfer(
    *, request: HelpRequest, actor, organisation=None, helper=None, note: str = ""
) -> HelpEvent:
    """Pass the request to an organisation or a named helper (exactly one of them)."""
    request = _locked(request)
    _require(request, "transfer")
    if (organisation is None) == (helper is None):
        raise IllegalTransition(gettext("Choose either an organisation or a helper."))
    request.holder_organisation = organisation
    request.holder_user = helper
    request.level = level_of(organisation=organisation, helper=helper)
    now = timezone.now()
    event = _move(
        request,
        kind=Kind.TRANSFERRED,
        to_state=State.TRANSFERRED,
        actor=actor,
        now=now,
        text=note.strip(),
        to_organisation=organisation,
        to_user=helper,
    )
    _notify_holder(request)
    return event


@transaction.atomic
def help_request_start(*, request: HelpRequest, actor, note: str = "") -> HelpEvent:
    """Record that the holder has started handling it (the first feedback)."""
    request = _locked(request)
    _require(request, "start")
    now = timezone.now()
    return _move(
        request,
        kind=Kind.STARTED,
        to_state=State.IN_PROGRESS,
        actor=actor,
        now=now,
        text=note.strip(),
        due_since=_cycle_start(request),
    )


@transaction.atomic
def help_request_resolve(*, request: HelpRequest, actor, what_was_done: str) -> HelpEvent:
    """Record what was done; the request then waits for the follow-up call."""
    request = _locked(request)
    _require(request, "resolve")
    text = (what_was_done or "").strip()
    if not text:
        raise IllegalTransition(gettext("Say what was done."))
    return _move(
        request,
        kind=Kind.RESOLVED,
        to_state=State.RESOLVED,
        actor=actor,
        now=timezone.now(),
        text=text,
    )


@transaction.atomic
def help_request_follow_up(
    *, request: HelpRequest, actor, satisfied: bool, note: str = ""
) -> HelpEvent:
    """Record the call back to the driver; not satisfied reopens the request."""
    request = _locked(request)
    _require(request, "follow-up")
    if satisfied:
        return _move(
            request,
            kind=Kind.FOLLOWED_UP,
            to_state=State.FOLLOWED_UP,
            actor=actor,
            now=timezone.now(),
            text=note.strip(),
            satisfied=True,
        )
    return _move(
        request,
        kind=Kind.REOPENED,
        to_state=State.REOPENED,
        actor=actor,
        now=timezone.now(),
        text=_reason(note),
        satisfied=False,
    )


@transaction.atomic
def help_request_close(*, request: HelpRequest, actor, note: str = "") -> HelpEvent:
    """Close a request whose driver was called back and was satisfied."""
    request = _locked(request)
    _require(request, "close")
    return _move(
        request,
        kind=Kind.CLOSED,
        to_state=State.CLOSED,
        actor=actor,
        now=timezone.now(),
        text=note.strip(),
    )


@transaction.atomic
def help_request_mark_duplicate(
    *, request: HelpRequest, actor, original: HelpRequest, reason: str
) -> HelpEvent:
    """Link the request to an earlier one that covers the same problem."""
    request = _locked(request)
    _require(request, "duplicate")
    text = _reason(reason)
    if original is None or original.pk == request.pk:
        raise IllegalTransition(gettext("Choose another request as the original."))
    if original.state == State.DUPLICATE:
        raise IllegalTransition(
            gettext("The original is itself a duplicate; link to its original.")
        )
    request.duplicate_of = original
    return _move(
        request,
        kind=Kind.DUPLICATE,
        to_state=State.DUPLICATE,
        actor=actor,
        now=timezone.now(),
        text=text,
    )


@transaction.atomic
def help_request_reject(*, request: HelpRequest, actor, reason: str) -> HelpEvent:
    """Record that the request is not for this service, with the reason."""
    request = _locked(request)
    _require(request, "not-for-us")
    return _move(
        request,
        kind=Kind.NOT_FOR_US,
        to_state=State.NOT_FOR_US,
        actor=actor,
        now=timezone.now(),
        text=_reason(reason),
    )


@transaction.atomic
def help_request_withdraw(*, request: HelpRequest, actor, reason: str) -> HelpEvent:
    """Record that the driver withdrew the request, with the reason."""
    request = _locked(request)
    _require(request, "withdraw")
    return _move(
        request,
        kind=Kind.WITHDRAWN,
        to_state=State.WITHDRAWN,
        actor=actor,
        now=timezone.now(),
        text=_reason(reason),
    )


@transaction.atomic
def help_request_note(*, request: HelpRequest, actor, text: str) -> HelpEvent:
    """Add an internal note; the state and deadline stay as they are."""
    request = _locked(request)
    text = (text or "").strip()
    if not text:
        raise IllegalTransition(gettext("Write the note first."))
    return HelpEvent.objects.create(
        request=request,
        kind=Kind.NOTE,
        from_state=request.state,
        to_state=request.state,
        actor=actor,
        text=text,
        created_at=timezone.now(),
    )


def _cycle_start(request: HelpRequest) -> datetime:
    """Resolution is counted from receipt, or from the latest reopening."""
    reopened = (
        request.events.filter(kind=Kind.REOPENED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return reopened or request.created_at


# --- Escalation up the assistance chain ---------------------------------------------------

BRANCH_KINDS = {Organisation.Kind.BRANCH, Organisation.Kind.JOINT_BRANCH}


def _top_committee() -> Organisation | None:
    return (
        Organisation.objects.filter(kind=Organisation.Kind.COMMITTEE, parent__isnull=True)
        .order_by("id")
        .first()
    )


def _committee_above(organisation: Organisation) -> Organisation | None:
    node = organisation.parent
    while node is not None:
        if node.kind == Organisation.Kind.COMMITTEE:
            return node
        node = node.parent
    return _top_committee()


def next_holder(request: HelpRequest):
    """Return (organisation, level) one step up the chain, or None at the top.

    A named helper (party member) → their party branch; a branch or partner body → the
    industry party committee above it; a request nobody took in time → the committee.
    """
    if request.level >= Level.COMMITTEE:
        return None
    if request.holder_user_id is not None:
        organisations = list(request.holder_user.organisations.all())
        branch = next((o for o in organisations if o.kind in BRANCH_KINDS), None)
        if branch is not None:
            return branch, Level.BRANCH
        committee = (
            next((o for o in organisations if o.kind == Organisation.Kind.COMMITTEE), None)
            or _top_committee()
        )
        return (committee, Level.COMMITTEE) if committee else None
    if request.holder_organisation_id is not None:
        committee = _committee_above(request.holder_organisation)
        if committee is None or committee.pk == request.holder_organisation_id:
            return None
        return committee, Level.COMMITTEE
    committee = _top_committee()
    return (committee, Level.COMMITTEE) if committee else None


def help_request_escalate(*, request: HelpRequest, now: datetime | None = None) -> bool:
    """Move an overdue request one level up the chain; return whether it moved.

    Idempotent: a request that is not overdue (any more), closed, or already at the top
    is left alone, so running this twice changes nothing the second time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        request = _locked(request)
        if request.state not in OPEN_STATES or request.due_at is None or request.due_at > now:
            return False
        step = next_holder(request)
        if step is None:
            return False
        organisation, level = step
        to_state = State.TRANSFERRED if request.state == State.RECEIVED else request.state
        request.holder_organisation = organisation
        request.holder_user = None
        request.level = level
        _move(
            request,
            kind=Kind.ESCALATED,
            to_state=to_state,
            actor=None,
            now=now,
            to_organisation=organisation,
            text=gettext("Deadline missed; passed up the assistance chain."),
        )
        _notify_holder(request)
    return True


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every overdue open request once; return how many moved."""
    now = now or timezone.now()
    ids = list(
        HelpRequest.objects.open()
        .filter(due_at__lte=now, level__lt=Level.COMMITTEE)
        .values_list("pk", flat=True)
    )
    moved = 0
    for pk in ids:
        if help_request_escalate(request=HelpRequest(pk=pk), now=now):
            moved += 1
    return moved


def _holder_emails(request: HelpRequest) -> list[str]:
    if request.holder_user_id is not None:
        return [request.holder_user.email] if request.holder_user.email else []
    if request.holder_organisation_id is not None:
        return sorted(
            set(
                request.holder_organisation.staff.filter(is_active=True, groups__name=HELP_HANDLERS)
                .exclude(email="")
                .values_list("email", flat=True)
            )
        )
    return []


NOTICE_SUBJECT = _("Help request %(code)s is now yours")
NOTICE_BODY = _(
    "Help request %(code)s (%(category)s) has been passed to you. Due: %(due)s.\n"
    "Open the dispatcher queue to handle it."
)


def _notify_holder(request: HelpRequest) -> None:
    """E-mail the new holder once the transaction commits (no phone or name in the mail)."""
    recipients = _holder_emails(request)
    if not recipients:
        return
    due = timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M") if request.due_at else "-"
    values = {"code": request.display_code, "category": request.get_category_display(), "due": due}
    subject = str(NOTICE_SUBJECT) % values
    body = str(NOTICE_BODY) % values

    def send():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except OSError:
            logger.exception("could not send the help request notice for %s", request.code)

    transaction.on_commit(send)
