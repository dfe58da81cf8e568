"""Writes of the sign-in machinery: the sign-in log, staff sessions, second factors.

Every function records its own line in the sign-in log (``SignInEvent``), which never holds
a password, a code, a secret or a session key.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.lib.net import client_ip, coarse_address

from . import twofactor
from .models import SignInEvent, StaffSession, User

# Keys this module keeps in a staff session.
STARTED_KEY = "staff_started_at"
SEEN_KEY = "staff_seen_at"
RECORD_KEY = "staff_session_id"
# The session key the record was last told about (it changes with ``cycle_key``).
KNOWN_KEY = "staff_session_key"
# How often "last seen" is written: idle timeouts are exact to this many seconds.
SEEN_INTERVAL_SECONDS = 60


def device_label(user_agent: str) -> str:
    """Describe a browser from its user agent: "Chrome Mobile · Android"."""
    from ua_parser import parse

    result = parse(user_agent[:500]) if user_agent else None
    parts = []
    if result is not None and result.user_agent is not None:
        parts.append(result.user_agent.family)
    if result is not None and result.os is not None:
        parts.append(result.os.family)
    return " · ".join(parts)[:120]


def _where(request: HttpRequest | None) -> dict[str, str]:
    if request is None:
        return {"address": "", "device": ""}
    return {
        "address": coarse_address(client_ip(request)),
        "device": device_label(request.META.get("HTTP_USER_AGENT", "")),
    }


def sign_in_event_record(
    *,
    kind: str,
    user: Any = None,
    username: str = "",
    request: HttpRequest | None = None,
    actor: Any = None,
    note: str = "",
) -> SignInEvent:
    """Add one line to the sign-in log."""
    if user is not None and not username:
        username = user.get_username()
    return SignInEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=username[:150],
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        note=note[:200],
        **_where(request),
    )


def staff_session_start(*, request: HttpRequest, user: Any) -> StaffSession | None:
    """Register the session ``user`` just signed in with (called on every sign-in)."""
    session = request.session
    if session.session_key is None:
        session.save()
    now = time.time()
    session[STARTED_KEY] = now
    session[SEEN_KEY] = now
    # Sessions that timed out without another request are dead: forget them now.
    StaffSession.objects.filter(user_id=user.pk).exclude(
        pk__in=StaffSession.objects.alive()
    ).delete()
    # Signing in again in the same session (same person, no password change) keeps its key:
    # the record is renewed rather than duplicated.
    record, _created = StaffSession.objects.update_or_create(
        session_key=session.session_key or "",
        defaults={
            "user": user,
            "created_at": datetime.fromtimestamp(now, tz=UTC),
            "last_seen_at": datetime.fromtimestamp(now, tz=UTC),
            **_where(request),
        },
    )
    session[RECORD_KEY] = record.pk
    session[KNOWN_KEY] = record.session_key
    return record


def staff_session_touch(*, request: HttpRequest, now: float) -> None:
    """Note that the session was used now (at most once a minute: one UPDATE)."""
    session = request.session
    session[SEEN_KEY] = now
    record_id = session.get(RECORD_KEY)
    if record_id and session.session_key:
        # The key changes when the session is cycled (a step-up, a password change).
        StaffSession.objects.filter(pk=record_id).update(
            last_seen_at=datetime.fromtimestamp(now, tz=UTC), session_key=session.session_key
        )
        session[KNOWN_KEY] = session.session_key


def staff_session_rekey(*, request: HttpRequest) -> None:
    """Follow the session to its new key after ``cycle_key`` (sign-in steps)."""
    record_id = request.session.get(RECORD_KEY)
    if record_id:
        if request.session.session_key is None:
            request.session.save()
        StaffSession.objects.filter(pk=record_id).update(session_key=request.session.session_key)
        request.session[KNOWN_KEY] = request.session.session_key


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def staff_sessions_end(
    *,
    user: Any,
    kind: str = SignInEvent.Kind.SESSIONS_ENDED,
    request: HttpRequest | None = None,
    actor: Any = None,
    keep_key: str | None = None,
    note: str = "",
) -> int:
    """End every session of ``user`` (but ``keep_key``) at once; return how many ended.

    The sessions are deleted from the session store, so their next request is anonymous.
    """
    store = _session_store()
    records = StaffSession.objects.filter(user_id=user.pk)
    if keep_key:
        records = records.exclude(session_key=keep_key)
    keys = list(records.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    records.delete()
    if keys:
        sign_in_event_record(kind=kind, user=user, request=request, actor=actor, note=note)
    return len(keys)


def staff_session_end(*, request: HttpRequest, session_id: int) -> bool:
    """End one of the signed-in user's own sessions; the current one signs out."""
    user = request.user
    record = StaffSession.objects.filter(pk=session_id, user_id=user.pk or 0).first()
    if record is None:
        return False
    if record.session_key == request.session.session_key:
        logout(request)
        return True
    _session_store()(session_key=record.session_key).delete()
    record.delete()
    sign_in_event_record(kind=SignInEvent.Kind.SESSION_ENDED, user=request.user, request=request)
    return True


def staff_session_forget(*, session_key: str | None) -> None:
    if session_key:
        StaffSession.objects.filter(session_key=session_key).delete()


def twofactor_enrol_start(*, user: Any) -> TOTPDevice:
    """Return the unconfirmed authenticator being set up for ``user`` (a fresh secret)."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=str(settings.OTP_TOTP_ISSUER), confirmed=False
        )
    return device


@transaction.atomic
def _recovery_codes_issue(*, user: Any) -> list[str]:
    StaticDevice.objects.filter(user_id=user.pk).delete()
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(twofactor.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def twofactor_enrol_confirm(*, request: HttpRequest, user: Any, code: str) -> list[str] | None:
    """Confirm the authenticator being set up with a code from it.

    On success the session counts as verified and fresh recovery codes are returned (to be
    shown once); on a wrong code nothing changes and None is returned.
    """
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
    if device is None or not device.verify_token(code.strip().replace(" ", "")):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_issue(user=user)
    twofactor.mark_verified(request, device)
    sign_in_event_record(kind=SignInEvent.Kind.ENROLLED, user=user, request=request)
    return codes


def recovery_codes_renew(*, request: HttpRequest, user: Any) -> list[str]:
    """Replace ``user``'s recovery codes (the old ones stop working)."""
    codes = _recovery_codes_issue(user=user)
    sign_in_event_record(kind=SignInEvent.Kind.RECOVERY_CODES_RENEWED, user=user, request=request)
    return codes


def twofactor_reset(*, user: User, actor: Any, request: HttpRequest | None = None) -> None:
    """Remove ``user``'s second factor and end their sessions: they must enrol again."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=user.pk).delete()
        StaticDevice.objects.filter(user_id=user.pk).delete()
    sign_in_event_record(kind=SignInEvent.Kind.RESET, user=user, request=request, actor=actor)
    staff_sessions_end(user=user, request=request, actor=actor, note="second factor reset")
