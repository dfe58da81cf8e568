"""Staff sign-in in steps (password, then code), enrolment, sessions and the access review."""

from base64 import b32encode
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from portal.lib.net import client_ip

from . import services, staffhome, twofactor
from .forms import CodeForm, EnrolForm
from .models import SignInEvent, StaffSession
from .permissions import is_active_staff, is_superuser, staff_view
from .querysets import access_review_rows

NEW_CODES_KEY = "twofactor_new_codes"


def _next_url(request, default: str = "") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or reverse("accounts:home")


def _with_next(url_name: str, next_url: str) -> str:
    return reverse(url_name) + "?" + urlencode({"next": next_url})


def _signed_in_staff(request) -> bool:
    return is_active_staff(request.user)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request):
    """The password step. Served at the admin's sign-in address, so every link leads here."""
    next_url = _next_url(request)
    if _signed_in_staff(request) and twofactor.is_verified(request):
        return redirect(next_url)
    if request.method == "POST":
        form = AdminAuthenticationForm(request, data=request.POST)
        if form.is_valid():
            user = form.get_user()
            auth_login(request, user)
            if twofactor.has_second_factor(user):
                return redirect(_with_next("accounts:verify", next_url))
            if twofactor.requires_two_factor(user):
                return redirect(_with_next("accounts:enrol", next_url))
            request.session[twofactor.PROMPT_KEY] = True
            return redirect(_with_next("accounts:offer", next_url))
    else:
        form = AdminAuthenticationForm(request)
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


def _lockout(request, username: str):
    services.sign_in_event_record(
        kind=SignInEvent.Kind.LOCKED_OUT, username=username, request=request
    )
    logout(request)
    return get_lockout_response(request, None, {"username": username})


@sensitive_post_parameters("code")
@never_cache
def verify(request):
    """The code step: at sign-in, and again before sensitive actions (step-up)."""
    if not _signed_in_staff(request):
        return redirect(_with_next("admin:login", _next_url(request)))
    user = request.user
    next_url = _next_url(request)
    step_up = request.GET.get("step_up") == "1" or request.POST.get("step_up") == "1"
    if not twofactor.has_second_factor(user):
        return redirect(_with_next("accounts:enrol", next_url))
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return _lockout(request, user.get_username())
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, recovery = twofactor.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            # A new session key once the second factor is proved (no fixation).
            request.session.cycle_key()
            twofactor.mark_verified(request, device)
            services.staff_session_rekey(request=request)
            # Only this name from this address: an attacker's failures elsewhere stay.
            address = client_ip(request)
            if address:
                AxesProxyHandler.reset_attempts(ip_address=address, username=user.get_username())
            kind = SignInEvent.Kind.RECOVERY_CODE_USED if recovery else SignInEvent.Kind.VERIFIED
            note = "step-up" if step_up else ""
            services.sign_in_event_record(kind=kind, user=user, request=request, note=note)
            if recovery:
                messages.warning(
                    request,
                    _("Recovery code used: %(count)s left.")
                    % {"count": twofactor.recovery_codes_left(user)},
                )
            return redirect(next_url)
        services.sign_in_event_record(kind=SignInEvent.Kind.CODE_FAILED, user=user, request=request)
        # django-axes counts the failure with the password failures of this name and address.
        user_login_failed.send(
            sender=__name__, credentials={**credentials, "second_factor": True}, request=request
        )
        if getattr(request, "axes_locked_out", False):
            return _lockout(request, user.get_username())
        form.add_error("code", _("That code is not right, or it was already used. Try again."))
    return render(
        request, "accounts/verify.html", {"form": form, "next": next_url, "step_up": step_up}
    )


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@sensitive_post_parameters("code")
@never_cache
def enrol(request):
    """Set up an authenticator app: QR code, or the secret typed by hand; then a code."""
    if not _signed_in_staff(request):
        return redirect(_with_next("admin:login", _next_url(request)))
    user = request.user
    next_url = _next_url(request)
    if twofactor.has_second_factor(user):
        # Replacing a device is done by an administrator's reset, never by a password alone.
        if twofactor.is_verified(request):
            return redirect("accounts:account")
        return redirect(_with_next("accounts:verify", next_url))
    device = services.twofactor_enrol_start(user=user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.twofactor_enrol_confirm(
            request=request, user=user, code=form.cleaned_data["code"]
        )
        if codes is not None:
            request.session.cycle_key()
            services.staff_session_rekey(request=request)
            request.session[NEW_CODES_KEY] = codes
            return redirect(_with_next("accounts:recovery-codes", next_url))
        form.add_error(
            "code", _("That code is not right. Check the time on your phone and try again.")
        )
    secret = b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "next": next_url,
        # Safe: the SVG is drawn by the qrcode library from our own otpauth address.
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308
        "secret": secret,
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "required": twofactor.requires_two_factor(user),
    }
    return render(request, "accounts/enrol.html", context)


@staff_view()
def recovery_codes(request):
    """Show new recovery codes once; make a new set (asks for the second factor again)."""
    if request.method == "POST":
        refusal = twofactor.step_up_response(request, next_url=reverse("accounts:account"))
        if refusal is not None:
            return refusal
        request.session[NEW_CODES_KEY] = services.recovery_codes_renew(
            request=request, user=request.user
        )
        return redirect("accounts:recovery-codes")
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect("accounts:account")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": _next_url(request, reverse("accounts:account"))},
    )


@never_cache
def offer(request):
    """Organizers and station managers: set up a second factor now, or not this time."""
    if not _signed_in_staff(request):
        return redirect(_with_next("admin:login", _next_url(request)))
    next_url = _next_url(request)
    if request.method == "POST":
        request.session.pop(twofactor.PROMPT_KEY, None)
        return redirect(next_url)
    return render(request, "accounts/offer.html", {"next": next_url})


def sign_out(request):
    """Sign out (POST); a plain visit leads to the page with the button."""
    if request.method != "POST":
        return redirect("accounts:account" if _signed_in_staff(request) else "admin:login")
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("admin:login")


@staff_view()
@require_safe
def staff_home(request):
    """Where sign-in lands: the person's tasks by role, from the panels the apps register."""
    user = request.user
    context = {
        "panels": staffhome.panels_for(request),
        # The admin only where the person has something to do there.
        "admin_work": user.is_superuser or bool(user.get_all_permissions()),
    }
    return render(request, "accounts/staff_home.html", context)


@staff_view()
def account(request):
    """The signed-in person's second factor and active sessions."""
    sessions = StaffSession.objects.alive().filter(user=request.user).order_by("-last_seen_at")
    context = {
        "sessions": sessions,
        "current_key": request.session.session_key,
        "has_second_factor": twofactor.has_second_factor(request.user),
        "recovery_left": twofactor.recovery_codes_left(request.user),
        "idle_minutes": settings.STAFF_IDLE_MINUTES,
        "absolute_hours": settings.STAFF_ABSOLUTE_HOURS,
    }
    return render(request, "accounts/account.html", context)


@staff_view()
@require_POST
def session_end(request, pk: int):
    if not services.staff_session_end(request=request, session_id=pk):
        raise Http404
    if not request.user.is_authenticated:
        return redirect("admin:login")
    messages.success(request, _("The session was ended."))
    return redirect("accounts:account")


@staff_view()
@require_POST
def sessions_end_others(request):
    count = services.staff_sessions_end(
        user=request.user, request=request, keep_key=request.session.session_key
    )
    messages.success(request, _("%(count)s other sessions were ended.") % {"count": count})
    return redirect("accounts:account")


@staff_view(is_superuser)
def access_review(request):
    """Every account that can see member records or help requests, for the quarterly review."""
    rows = access_review_rows(stale_days=settings.ACCESS_REVIEW_STALE_DAYS)
    return render(
        request,
        "accounts/access_review.html",
        {"rows": rows, "stale_days": settings.ACCESS_REVIEW_STALE_DAYS},
    )
