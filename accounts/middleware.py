"""Staff sessions: idle and absolute timeouts, "last seen", and the second-factor gate."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import services, twofactor
from .models import SignInEvent

# Pages a password-only session may open: the sign-in steps themselves.
OPEN_VIEWS = frozenset(
    {
        "admin:login",
        "admin:logout",
        "accounts:verify",
        "accounts:enrol",
        "accounts:offer",
        "accounts:sign-out",
        "set_language",
    }
)


class StaffSessionMiddleware:
    """End staff sessions that are idle or too old; hold password-only sessions at the gate.

    No query for a visitor without a session. For a verified staff session, no query
    either, except one UPDATE a minute for "last seen".
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if SESSION_KEY in request.session:
            user = request.user
            if user.is_authenticated and user.is_staff:
                ended = self._timed_out(request)
                if ended is not None:
                    return ended
        return self.get_response(request)

    def _timed_out(self, request):
        session = request.session
        now = time.time()
        started = session.setdefault(services.STARTED_KEY, now)
        seen = session.get(services.SEEN_KEY, started)
        kind = None
        if now - started > settings.STAFF_ABSOLUTE_HOURS * 3600:
            kind = SignInEvent.Kind.ABSOLUTE_TIMEOUT
            message = _("You were signed out: staff sessions last at most %(hours)s hours.") % {
                "hours": settings.STAFF_ABSOLUTE_HOURS
            }
        elif now - seen > settings.STAFF_IDLE_MINUTES * 60:
            kind = SignInEvent.Kind.IDLE_TIMEOUT
            message = _("You were signed out after %(minutes)s minutes without activity.") % {
                "minutes": settings.STAFF_IDLE_MINUTES
            }
        if kind is None:
            if now - seen >= services.SEEN_INTERVAL_SECONDS:
                services.staff_session_touch(request=request, now=now)
            elif session.get(services.KNOWN_KEY, session.session_key) != session.session_key:
                # The key changed (a password change cycles it): the sessions page must follow.
                services.staff_session_rekey(request=request)
            return None
        # Told to the sign-out receiver, so the log says why the session ended.
        request.sign_out_kind = kind
        logout(request)
        messages.warning(request, message)
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse("admin:login") + ("?" + query if query else ""))

    def process_view(self, request, view_func, view_args, view_kwargs):
        if SESSION_KEY not in request.session:
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff) or twofactor.is_verified(request):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        next_query = urlencode({"next": request.get_full_path()})
        if twofactor.has_second_factor(user):
            return HttpResponseRedirect(reverse("accounts:verify") + "?" + next_query)
        if twofactor.requires_two_factor(user):
            return HttpResponseRedirect(reverse("accounts:enrol") + "?" + next_query)
        if request.session.get(twofactor.PROMPT_KEY):
            return HttpResponseRedirect(reverse("accounts:offer") + "?" + next_query)
        return None
