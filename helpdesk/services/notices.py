"""E-mail notices to whoever a help request has just been passed to.

A notice carries the tracking code, the category and the due time, never the driver's phone
or name, and is sent only once the transaction that moved the request commits.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import HELP_HANDLERS
from helpdesk.models.requests import HelpRequest

logger = logging.getLogger(__name__)

NOTICE_SUBJECT = _("Help request %(code)s is now yours")
NOTICE_BODY = _(
    "Help request %(code)s (%(category)s) has been passed to you. Due: %(due)s.\n"
    "Open the dispatcher queue to handle it."
)


def holder_emails(request: HelpRequest) -> list[str]:
    """The named helper's address, else those of the holding organisation's help handlers."""
    helper = request.holder_user
    if helper is not None:
        return [helper.email] if helper.email else []
    organisation = request.holder_organisation
    if organisation is None:
        return []
    return sorted(
        set(
            User.objects.filter(
                organisations=organisation, is_active=True, groups__name=HELP_HANDLERS
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def holder_notify(request: HelpRequest) -> None:
    """E-mail the new holder once the transaction commits (no phone or name in the mail)."""
    recipients = holder_emails(request)
    if not recipients:
        return
    due = timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M") if request.due_at else "-"
    values = {"code": request.display_code, "category": request.get_category_display(), "due": due}
    subject = str(NOTICE_SUBJECT) % values
    body = str(NOTICE_BODY) % values

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except OSError:
            logger.exception("could not send the help request notice for %s", request.code)

    transaction.on_commit(send)
