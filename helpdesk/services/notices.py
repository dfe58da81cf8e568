"""What staff and drivers are told about a help request, queued in the notice outbox.

Called inside the transaction of the change (submission, transfer, escalation, start,
resolution), so a notice is queued exactly when the change commits; ``manage.py
send_notices`` delivers it later. Each message is rendered in its recipient's language: the
group's, the staff member's preference, the language the driver used.

What a message may carry: the tracking code, category, urgency, station or place, due time
and a link to the staff page. Never the driver's phone, name or description (the text
message goes *to* the driver's phone, and carries only the code and the state).
"""

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.roles import DISPATCHERS, HELP_HANDLERS
from helpdesk.choices import State
from helpdesk.models.requests import HelpRequest
from notices.models import GroupWebhook, Notice, NoticePreference
from notices.outbox import notice_queue

logger = logging.getLogger(__name__)

# Staff notices by kind: the group's and the e-mail's subject line.
SUBJECTS = {
    "received": _("New help request %(code)s"),
    "urgent": _("URGENT help request %(code)s"),
    "transferred": _("Help request %(code)s passed to %(holder)s"),
    "escalated": _("Help request %(code)s escalated to %(holder)s (deadline missed)"),
    "overdue": _("Help request %(code)s is overdue"),
}
STAFF_KINDS = tuple(SUBJECTS)

# Text messages to drivers: the tracking code and the state, nothing else.
SMS_TEXTS = {
    "received": _(
        "Driver Home: we received your help request. Tracking code %(code)s. "
        "Reply TD to stop these messages."
    ),
    "transferred": _("Driver Home: help request %(code)s has been passed to a helper."),
    "started": _(
        "Driver Home: help request %(code)s is being handled; a helper may call you back."
    ),
    "resolved": _(
        "Driver Home: help request %(code)s is marked solved; we will call you to check."
    ),
}
SMS_KINDS = tuple(SMS_TEXTS)


def _safely(what: str, queue: Callable[[], None]) -> None:
    """Queue in a savepoint: a notice that cannot be queued never undoes the change."""
    try:
        with transaction.atomic():
            queue()
    except Exception:
        logger.exception("could not queue the %s notice", what)


def _topic(request: HelpRequest) -> str:
    return f"helpdesk.helprequest:{request.pk}"


def _place(request: HelpRequest) -> str:
    if request.station_id is not None and request.station is not None:
        return request.station.name
    if request.location_text:
        return request.location_text[:60]
    if request.latitude is not None:
        return f"{request.latitude}, {request.longitude}"
    return "–"


def _holder_name(request: HelpRequest) -> str:
    if request.holder_user is not None:
        return request.holder_user.get_full_name() or request.holder_user.get_username()
    if request.holder_organisation is not None:
        return request.holder_organisation.name
    return gettext("the dispatch desk")


def _render(request: HelpRequest, kind: str, language: str) -> tuple[str, str, str]:
    """Return (subject, fact lines, staff page link) in ``language``."""
    with translation.override(language):
        values = {"code": request.display_code, "holder": _holder_name(request)}
        subject = str(SUBJECTS[kind]) % values
        due = (
            timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M") if request.due_at else "–"
        )
        urgency = gettext("urgent") if request.urgent else gettext("normal")
        lines = [
            gettext("Category: %(category)s") % {"category": request.get_category_display()},
            gettext("Urgency: %(urgency)s") % {"urgency": urgency},
            gettext("Place: %(place)s") % {"place": _place(request)},
            gettext("Due: %(due)s") % {"due": due},
        ]
        link = settings.SITE_URL + reverse("helpdesk:staff-detail", args=[request.pk])
    return subject, "\n".join(lines), link


def _preference(user: User) -> NoticePreference:
    """The user's preference (loaded with ``select_related``), else the default one."""
    try:
        return user.notice_preference
    except NoticePreference.DoesNotExist:
        return NoticePreference(user=user)


def _groups(organisations: Iterable[Organisation | None]) -> list[GroupWebhook]:
    """The active groups of these organisations (None: the dispatch desk's), once each."""
    found: dict[int, GroupWebhook] = {}
    for organisation in organisations:
        groups = GroupWebhook.objects.filter(active=True)
        groups = (
            groups.filter(organisation__isnull=True)
            if organisation is None
            else groups.filter(organisation=organisation)
        )
        found.update((group.pk, group) for group in groups)
    return list(found.values())


def _queue_staff(
    request: HelpRequest, kind: str, language: str, now: datetime, **destination: Any
) -> None:
    """Queue one staff notice of ``kind`` in ``language`` to ``destination`` (group or to)."""
    subject, body, link = _render(request, kind, language)
    notice_queue(
        channel=Notice.Channel.GROUP if "group" in destination else Notice.Channel.EMAIL,
        kind=kind,
        topic=_topic(request),
        language=language,
        subject=subject,
        body=body,
        link=link,
        urgent=request.urgent,
        now=now,
        **destination,
    )


def _queue_groups(
    request: HelpRequest,
    kind: str,
    groups: Iterable[GroupWebhook],
    now: datetime,
    dedupe: str = "",
) -> None:
    for group in groups:
        key = f"{dedupe}:{group.pk}" if dedupe else None
        _queue_staff(request, kind, group.language, now, group=group, dedupe_key=key)


def _queue_people(request: HelpRequest, kind: str, people: Iterable[User], now: datetime) -> None:
    """E-mail each person who wants e-mail; post to the groups of those who want the group."""
    group_orgs: list[Organisation | None] = []
    for user in people:
        preference = _preference(user)
        if preference.wants_email and user.email:
            _queue_staff(request, kind, preference.language, now, to=user.email)
        if preference.wants_group and request.holder_user_id == user.pk:
            group_orgs.extend(user.organisations.all())
    if group_orgs:
        _queue_groups(request, kind, _groups(group_orgs), now)


def holders(request: HelpRequest) -> list[User]:
    """The named helper, else the holding organisation's active help handlers."""
    if request.holder_user is not None:
        return [request.holder_user] if request.holder_user.is_active else []
    if request.holder_organisation is None:
        return []
    return list(
        User.objects.filter(
            organisations=request.holder_organisation,
            is_active=True,
            groups__name=HELP_HANDLERS,
        )
        .select_related("notice_preference")
        .distinct()
    )


def driver_notify(request: HelpRequest, kind: str, *, now: datetime | None = None) -> None:
    """Queue a text message to a driver who asked for them (at most a few a day per request)."""
    if not request.sms_opt_in:
        return
    now = now or timezone.now()

    def queue() -> None:
        recent = (
            Notice.objects.filter(
                topic=_topic(request),
                channel=Notice.Channel.SMS,
                created_at__gte=now - timedelta(days=1),
            )
            .exclude(state=Notice.State.CANCELLED)
            .count()
        )
        if recent >= settings.SMS_PER_REQUEST_PER_DAY:
            return
        language = request.language or settings.LANGUAGE_CODE
        with translation.override(language):
            text = str(SMS_TEXTS[kind]) % {"code": request.display_code}
        notice_queue(
            channel=Notice.Channel.SMS,
            kind=kind,
            topic=_topic(request),
            language=language,
            subject=request.display_code,
            body=text,
            to=request.phone,
            params={"code": request.display_code},
            now=now,
        )

    _safely(f"sms {kind}", queue)


def received_notify(request: HelpRequest, *, now: datetime | None = None) -> None:
    """A new request: the desk's groups and the dispatchers; the driver's receipt text."""
    now = now or timezone.now()
    kind = "urgent" if request.urgent else "received"

    def queue() -> None:
        _queue_groups(request, kind, _groups([None]), now)
        dispatchers = (
            User.objects.filter(is_active=True, groups__name=DISPATCHERS)
            .select_related("notice_preference")
            .distinct()
        )
        _queue_people(request, kind, dispatchers, now)

    _safely(kind, queue)
    driver_notify(request, "received", now=now)


def holder_notify(request: HelpRequest, *, kind: str = "transferred", now=None) -> None:
    """The request was passed on (``transferred``) or up the chain (``escalated``).

    The new holder's organisation's groups (and the desk's, for an escalation), and the
    holder's people by their preferences; the driver hears that a helper has it.
    """
    now = now or timezone.now()

    def queue() -> None:
        organisations: list[Organisation | None] = []
        if request.holder_organisation is not None:
            organisations.append(request.holder_organisation)
        if kind == "escalated":
            organisations.append(None)
        _queue_groups(request, kind, _groups(organisations), now)
        _queue_people(request, kind, holders(request), now)

    _safely(kind, queue)
    # The driver hears of a new helper; an escalation of a request already being handled
    # or waiting for the follow-up call changes nothing they need to know.
    if request.state == State.TRANSFERRED:
        driver_notify(request, "transferred", now=now)


def overdue_notify(request: HelpRequest, *, now: datetime | None = None) -> None:
    """A request past its deadline that cannot move further up: tell its groups, once."""
    now = now or timezone.now()
    due = request.due_at.isoformat() if request.due_at else ""

    def queue() -> None:
        groups = _groups([request.holder_organisation, None])
        _queue_groups(request, "overdue", groups, now, dedupe=f"overdue:{request.pk}:{due}")

    _safely("overdue", queue)
