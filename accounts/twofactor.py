"""Two-factor sign-in: who needs it, what a session has proved, and step-up checks.

Built on django-otp: a time-based code from an authenticator app (``TOTPDevice``) and
one-time recovery codes (``StaticDevice``). A staff session is *password-only* after the
sign-in form and *verified* once a code was accepted; the verification is kept in the
session (``otp_device_id``, as django-otp does, and the time of the last check).

* **Required** before any page for superusers, member-records officers, dispatchers and help
  handlers (they see member records or help requests): ``StaffSessionMiddleware`` sends a
  password-only session to the code page, or to enrolment when there is no device yet.
* **Offered** to organizers and station managers at each sign-in; once they have set it up,
  it is required for them too.
* **Step-up**: viewing a full phone number, exporting and changing roles need a check newer
  than ``STEP_UP_MINUTES``: other apps call :func:`step_up_required` (a view decorator) or
  :func:`step_up_response` / :func:`recently_verified`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .permissions import is_active_staff, role_names
from .roles import DISPATCHERS, HELP_HANDLERS, MEMBER_RECORDS_OFFICERS, NAMED_HELPERS

# Roles that see member records or help requests: the second factor is compulsory.
REQUIRED_ROLES = frozenset({MEMBER_RECORDS_OFFICERS, DISPATCHERS, HELP_HANDLERS, NAMED_HELPERS})

VERIFIED_AT_KEY = "twofactor_verified_at"
DEVICE_KEY = django_otp.DEVICE_ID_SESSION_KEY
# Set at a password sign-in of an organizer or station manager without a device.
PROMPT_KEY = "twofactor_prompt"

RECOVERY_CODE_COUNT = 10
_TOTP_CODE = re.compile(r"\A[0-9]{6}\Z")

View = TypeVar("View", bound=Callable[..., HttpResponse])


def requires_two_factor(user: Any) -> bool:
    """Tell whether ``user``'s role makes a second factor compulsory."""
    if not is_active_staff(user):
        return False
    return bool(user.is_superuser) or bool(REQUIRED_ROLES & role_names(user))


def confirmed_totp(user: Any) -> TOTPDevice | None:
    """Return ``user``'s confirmed authenticator, if any (one query)."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def has_second_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def is_verified(request: HttpRequest) -> bool:
    """Tell whether this session's second factor was checked (no query)."""
    session = request.session
    return bool(session.get(DEVICE_KEY)) and session.get(VERIFIED_AT_KEY) is not None


def recently_verified(request: HttpRequest) -> bool:
    """Tell whether the second factor was checked within ``STEP_UP_MINUTES``."""
    if not is_verified(request):
        return False
    checked = float(request.session.get(VERIFIED_AT_KEY) or 0)
    return time.time() - checked <= settings.STEP_UP_MINUTES * 60


def mark_verified(request: HttpRequest, device: Any) -> None:
    """Record in the session that ``device`` was just verified (sign-in or step-up)."""
    django_otp.login(request, device)
    request.session[VERIFIED_AT_KEY] = time.time()
    request.session.pop(PROMPT_KEY, None)


def verify_url(request: HttpRequest, *, step_up: bool = False, next_url: str = "") -> str:
    query = {"next": next_url or request.get_full_path()}
    if step_up:
        query["step_up"] = "1"
    return reverse("accounts:verify") + "?" + urlencode(query)


def step_up_response(request: HttpRequest, next_url: str = "") -> HttpResponse | None:
    """Return a redirect to the code page unless the second factor was checked recently.

    A POST cannot be replayed after the code page, so ``next`` is the page the form came
    from when given (``next_url``), or the same address fetched again.
    """
    if recently_verified(request):
        return None
    return HttpResponseRedirect(verify_url(request, step_up=True, next_url=next_url))


def step_up_required(view: View) -> View:
    """Decorate a view that exports, shows full phone numbers or changes roles."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refusal = step_up_response(request)
        if refusal is not None:
            return refusal
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def verify_code(user: Any, code: str) -> tuple[Any, bool]:
    """Check ``code`` against ``user``'s authenticator or recovery codes.

    Returns the device that accepted it (or None) and whether it was a recovery code.
    django-otp refuses a time-based code used before (replay) and slows down repeated
    failures; a recovery code is deleted when used.
    """
    code = re.sub(r"[\s-]", "", code or "").lower()
    if not code:
        return None, False
    if _TOTP_CODE.match(code):
        device = confirmed_totp(user)
        if device is None:
            return None, False
        return django_otp.verify_token(user, device.persistent_id, code), False
    for device in StaticDevice.objects.filter(user_id=user.pk, confirmed=True):
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified, True
    return None, False


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk).count()
