"""Help-request writes: submission, tracking codes and one function per transition.

Every function runs in one transaction and locks the request row first, so two staff
clicking at once cannot both move it. An illegal transition raises ``IllegalTransition``
before anything is written; the transaction then leaves the database as it was.
Escalation up the assistance chain is in ``helpdesk.services.escalation``.
"""

import secrets
import unicodedata
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Organisation, User
from accounts.permissions import can_take_help_requests, is_help_handler
from helpdesk.choices import Level, State
from helpdesk.deadlines import due_for
from helpdesk.models.requests import HelpEvent, HelpRequest
from helpdesk.services import notices
from helpdesk.transitions import TRANSITIONS
from stations.models import Station

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
    station: Station | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    location_text: str = "",
    urgent: bool = False,
    sms_opt_in: bool = False,
    language: str = "",
) -> tuple[HelpRequest, bool]:
    """Store a driver's request once per form token; return (request, created).

    The same token sent again (double tap, resent POST, two at once) returns the request
    the first one stored, thanks to the unique constraint on ``form_token``. The notices
    (the desk's groups, dispatchers, the driver's receipt text if asked for) are queued in
    the same transaction; nothing is sent while the driver waits.
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
                    sms_opt_in=sms_opt_in,
                    language=language or settings.LANGUAGE_CODE,
                    state=State.RECEIVED,
                )
                request.due_at = due_for(request, state=State.RECEIVED, since=now)
                request.save()
                HelpEvent.objects.create(
                    request=request, kind=Kind.RECEIVED, to_state=State.RECEIVED, created_at=now
                )
                notices.received_notify(request, now=now)
                if station is not None:
                    _route_to_station(request, station, now)
                return request, True
        except IntegrityError:
            existing = HelpRequest.objects.filter(form_token=form_token).first()
            if existing is not None:
                return existing, False
            # Otherwise the random code collided: draw another.
    raise RuntimeError("could not store the help request")


def station_helper(station: Station) -> tuple[Organisation | None, User | None]:
    """Return (organisation, helper) that handles requests sent from ``station``.

    (None, None) when the station names no helper, or names an account that may no
    longer act (inactive, or without the help-handler role): the desk then transfers it.
    """
    if station.helper_organisation_id is not None:
        return station.helper_organisation, None
    helper = station.helper_user if station.helper_user_id is not None else None
    if helper is not None and helper.is_active and is_help_handler(helper):
        return None, helper
    return None, None


def _route_to_station(request: HelpRequest, station: Station, now: datetime) -> None:
    """Transfer a request sent from a station's page to the station's helper at once (即时转办).

    Inside the submission's transaction; the usual deadlines apply from now.
    """
    organisation, helper = station_helper(station)
    if organisation is None and helper is None:
        return
    request.holder_organisation = organisation
    request.holder_user = helper
    request.level = level_of(organisation=organisation, helper=helper)
    record_move(
        request,
        kind=Kind.TRANSFERRED,
        to_state=State.TRANSFERRED,
        actor=None,
        now=now,
        text=gettext("Sent from the station's page: passed to the station's helper at once."),
        to_organisation=organisation,
        to_user=helper,
    )
    notices.holder_notify(request, kind="transferred", now=now)


def locked_request(request: HelpRequest) -> HelpRequest:
    """Reload ``request`` locked for update (inside the caller's transaction)."""
    return HelpRequest.objects.select_for_update().get(pk=request.pk)


def _require(request: HelpRequest, action: str) -> None:
    """Refuse ``action`` unless the workflow table allows it from the request's state."""
    transition = TRANSITIONS[action]
    if request.state not in transition.sources:
        raise IllegalTransition(
            gettext("%(message)s (the request is now: %(state)s).")
            % {"message": transition.refusal, "state": request.get_state_display()}
        )


def _text(text: str, refusal: str = "") -> str:
    """Return ``text`` stripped; refuse with ``refusal`` when it is required and empty."""
    text = (text or "").strip()
    if refusal and not text:
        raise IllegalTransition(refusal)
    return text


def record_move(
    request: HelpRequest,
    *,
    kind: str,
    to_state: str,
    actor: User | None,
    now: datetime,
    text: str = "",
    satisfied: bool | None = None,
    to_organisation: Organisation | None = None,
    to_user: User | None = None,
    due_since: datetime | None = None,
) -> HelpEvent:
    """Append the event, then move the (locked) request to ``to_state`` with a new deadline."""
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


def _step(
    request: HelpRequest,
    action: str,
    *,
    kind: str,
    to_state: str,
    actor: User | None,
    text: str,
    required: str = "",
    satisfied: bool | None = None,
) -> HelpEvent:
    """Lock the request, check the workflow allows ``action`` and the text, record the move.

    ``required`` is the refusal when ``text`` may not be empty; the state is checked first.
    """
    request = locked_request(request)
    _require(request, action)
    return record_move(
        request,
        kind=kind,
        to_state=to_state,
        actor=actor,
        now=timezone.now(),
        text=_text(text, required),
        satisfied=satisfied,
    )


def level_of(*, organisation: Organisation | None = None, helper: User | None = None) -> int:
    if helper is not None:
        return Level.MEMBER
    if organisation is not None and organisation.kind == Organisation.Kind.COMMITTEE:
        return Level.COMMITTEE
    return Level.BRANCH


@transaction.atomic
def help_request_transfer(
    *,
    request: HelpRequest,
    actor: User | None,
    organisation: Organisation | None = None,
    helper: User | None = None,
    note: str = "",
) -> HelpEvent:
    """Pass the request to an organisation or a named helper (exactly one of them).

    A named helper must hold a help role (``accounts.permissions.can_take_help_requests``);
    anyone else is refused, whatever the form offered.
    """
    request = locked_request(request)
    _require(request, "transfer")
    if (organisation is None) == (helper is None):
        raise IllegalTransition(gettext("Choose either an organisation or a helper."))
    if helper is not None and not can_take_help_requests(helper):
        raise IllegalTransition(
            gettext("%(name)s cannot take help requests: choose someone from the list.")
            % {"name": helper.display_name}
        )
    request.holder_organisation = organisation
    request.holder_user = helper
    request.level = level_of(organisation=organisation, helper=helper)
    event = record_move(
        request,
        kind=Kind.TRANSFERRED,
        to_state=State.TRANSFERRED,
        actor=actor,
        now=timezone.now(),
        text=_text(note),
        to_organisation=organisation,
        to_user=helper,
    )
    notices.holder_notify(request, kind="transferred")
    return event


@transaction.atomic
def help_request_start(*, request: HelpRequest, actor: User | None, note: str = "") -> HelpEvent:
    """Record that the holder has started handling it (the first feedback)."""
    request = locked_request(request)
    _require(request, "start")
    event = record_move(
        request,
        kind=Kind.STARTED,
        to_state=State.IN_PROGRESS,
        actor=actor,
        now=timezone.now(),
        text=_text(note),
        due_since=_cycle_start(request),
    )
    notices.driver_notify(request, "started")
    return event


@transaction.atomic
def help_request_resolve(
    *, request: HelpRequest, actor: User | None, what_was_done: str
) -> HelpEvent:
    """Record what was done; the request then waits for the follow-up call."""
    event = _step(
        request,
        "resolve",
        kind=Kind.RESOLVED,
        to_state=State.RESOLVED,
        actor=actor,
        text=what_was_done,
        required=gettext("Say what was done."),
    )
    notices.driver_notify(event.request, "resolved")
    return event


@transaction.atomic
def help_request_follow_up(
    *, request: HelpRequest, actor: User | None, satisfied: bool, note: str = ""
) -> HelpEvent:
    """Record the call back to the driver; not satisfied reopens the request (with a reason)."""
    if satisfied:
        kind, to_state, required = Kind.FOLLOWED_UP, State.FOLLOWED_UP, ""
    else:
        kind, to_state, required = Kind.REOPENED, State.REOPENED, gettext("Give a reason.")
    return _step(
        request,
        "follow-up",
        kind=kind,
        to_state=to_state,
        actor=actor,
        text=note,
        required=required,
        satisfied=satisfied,
    )


@transaction.atomic
def help_request_close(*, request: HelpRequest, actor: User | None, note: str = "") -> HelpEvent:
    """Close a request whose driver was called back and was satisfied."""
    return _step(request, "close", kind=Kind.CLOSED, to_state=State.CLOSED, actor=actor, text=note)


@transaction.atomic
def help_request_mark_duplicate(
    *, request: HelpRequest, actor: User | None, original: HelpRequest | None, reason: str
) -> HelpEvent:
    """Link the request to an earlier one that covers the same problem."""
    request = locked_request(request)
    _require(request, "duplicate")
    text = _text(reason, gettext("Give a reason."))
    if original is None or original.pk == request.pk:
        raise IllegalTransition(gettext("Choose another request as the original."))
    if original.state == State.DUPLICATE:
        raise IllegalTransition(
            gettext("The original is itself a duplicate; link to its original.")
        )
    request.duplicate_of = original
    return record_move(
        request,
        kind=Kind.DUPLICATE,
        to_state=State.DUPLICATE,
        actor=actor,
        now=timezone.now(),
        text=text,
    )


@transaction.atomic
def help_request_reject(*, request: HelpRequest, actor: User | None, reason: str) -> HelpEvent:
    """Record that the request is not for this service, with the reason."""
    return _step(
        request,
        "not-for-us",
        kind=Kind.NOT_FOR_US,
        to_state=State.NOT_FOR_US,
        actor=actor,
        text=reason,
        required=gettext("Give a reason."),
    )


@transaction.atomic
def help_request_withdraw(*, request: HelpRequest, actor: User | None, reason: str) -> HelpEvent:
    """Record that the driver withdrew the request, with the reason."""
    return _step(
        request,
        "withdraw",
        kind=Kind.WITHDRAWN,
        to_state=State.WITHDRAWN,
        actor=actor,
        text=reason,
        required=gettext("Give a reason."),
    )


@transaction.atomic
def help_request_note(*, request: HelpRequest, actor: User | None, text: str) -> HelpEvent:
    """Add an internal note; the state and deadline stay as they are."""
    request = locked_request(request)
    return HelpEvent.objects.create(
        request=request,
        kind=Kind.NOTE,
        from_state=request.state,
        to_state=request.state,
        actor=actor,
        text=_text(text, gettext("Write the note first.")),
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
