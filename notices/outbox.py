"""The outbox: queue notices inside the caller's transaction; a worker claims and sends them.

Queueing is an INSERT in the transaction of the change that causes the notice, so a notice
exists exactly when the change committed, and the web request never waits for a network.
``manage.py send_notices`` claims due rows (PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``;
SQLite: a compare-and-set UPDATE per row), marks each claim with a token and a lease, sends,
and records the outcome only under its own token. Failures are retried with a doubling
delay; after ``NOTICE_MAX_ATTEMPTS`` the row stays "failed" for the admin to see.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from notices.delivery import DeliveryError, notice_deliver
from notices.models import GroupWebhook, Notice, SmsOptOut

logger = logging.getLogger(__name__)


def notice_queue(
    *,
    channel: str,
    kind: str,
    topic: str,
    language: str,
    subject: str,
    body: str,
    to: str = "",
    group: GroupWebhook | None = None,
    link: str = "",
    params: dict[str, Any] | None = None,
    urgent: bool = False,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> Notice | None:
    """Add one notice to the outbox (in the caller's transaction); return it, or None.

    None when ``dedupe_key`` was queued before, or a text message goes to a phone that
    opted out. A group notice queued in the group's quiet hours waits for their end unless
    it is ``urgent``.
    """
    now = now or timezone.now()
    if dedupe_key and Notice.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    if channel == Notice.Channel.SMS and SmsOptOut.objects.filter(phone=to).exists():
        return None
    next_attempt = now
    if group is not None and not urgent:
        next_attempt = group.quiet_until(now) or now
    return Notice.objects.create(
        channel=channel,
        kind=kind,
        topic=topic,
        language=language,
        subject=subject[:200],
        body=body,
        to=to,
        group=group,
        link=link,
        params=params or {},
        urgent=urgent,
        dedupe_key=dedupe_key or None,
        next_attempt_at=next_attempt,
        created_at=now,
    )


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: the base delay, doubled each time."""
    seconds = settings.NOTICE_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTICE_RETRY_MAX_SECONDS))


def notices_claim(*, now: datetime, limit: int, token: str) -> list[Notice]:
    """Claim up to ``limit`` due notices for the worker holding ``token``; return them.

    A claimed row is "sending" with a lease; another worker may take it over only when the
    lease has run out (the first worker died), so two workers never send the same row at
    the same time.
    """
    lease_until = now + timedelta(seconds=settings.NOTICE_LEASE_SECONDS)
    claim = {
        "state": Notice.State.SENDING,
        "claim_token": token,
        "lease_until": lease_until,
        "attempts": F("attempts") + 1,
    }
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(
                Notice.objects.select_for_update(skip_locked=True)
                .due(now)
                .order_by("next_attempt_at", "id")
                .values_list("pk", flat=True)[:limit]
            )
            Notice.objects.filter(pk__in=ids).update(**claim)
    else:
        ids = []
        candidates = Notice.objects.due(now).order_by("next_attempt_at", "id")
        for pk in candidates.values_list("pk", flat=True)[: limit * 2]:
            # Compare-and-set: the row is ours only if it is still due when we write.
            if Notice.objects.due(now).filter(pk=pk).update(**claim) == 1:
                ids.append(pk)
            if len(ids) >= limit:
                break
    return list(
        Notice.objects.filter(pk__in=ids, claim_token=token)
        .select_related("group")
        .order_by("next_attempt_at", "id")
    )


def _finish(notice: Notice, token: str, **values: Any) -> None:
    # Only the claim holder may record the outcome.
    Notice.objects.filter(pk=notice.pk, claim_token=token, state=Notice.State.SENDING).update(
        lease_until=None, **values
    )


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.deferred + self.cancelled


def notice_send_one(notice: Notice, *, token: str, now: datetime, report: SendReport) -> None:
    """Deliver one claimed notice and record the outcome."""
    if notice.channel == Notice.Channel.GROUP and notice.group is not None:
        quiet_until = None if notice.urgent else notice.group.quiet_until(now)
        if not notice.group.active or quiet_until is not None:
            # Not a failed try: hand the attempt back and wait.
            wait = quiet_until or now + timedelta(hours=1)
            _finish(
                notice,
                token,
                state=Notice.State.PENDING,
                attempts=F("attempts") - 1,
                next_attempt_at=wait,
            )
            report.deferred += 1
            return
    if notice.channel == Notice.Channel.SMS and SmsOptOut.objects.filter(phone=notice.to).exists():
        _finish(notice, token, state=Notice.State.CANCELLED, last_error="opted out")
        report.cancelled += 1
        return
    try:
        notice_deliver(notice)
    except Exception as exc:
        # A delivery error, or a bug in a backend: either way the row is retried, then failed,
        # and the worker goes on with the next one.
        if isinstance(exc, DeliveryError):
            error = str(exc)[:500]
        else:
            logger.exception("notice %s: unexpected error", notice.pk)
            error = f"{type(exc).__name__}: {exc}"[:500]
        report.errors.append(error)
        if notice.attempts >= settings.NOTICE_MAX_ATTEMPTS:
            _finish(notice, token, state=Notice.State.FAILED, last_error=error)
            report.failed += 1
            logger.error("notice %s failed for good: %s", notice.pk, error)
        else:
            _finish(
                notice,
                token,
                state=Notice.State.PENDING,
                last_error=error,
                next_attempt_at=now + retry_delay(notice.attempts),
            )
            report.retried += 1
        return
    _finish(notice, token, state=Notice.State.SENT, sent_at=timezone.now(), last_error="")
    report.sent += 1


def notices_send(*, now: datetime | None = None, limit: int = 50) -> SendReport:
    """Claim the due notices and send them once each; return what happened."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    report = SendReport()
    for notice in notices_claim(now=now, limit=limit, token=token):
        notice_send_one(notice, token=token, now=now, report=report)
    return report


def notices_retry(*, ids: list[int], now: datetime | None = None) -> int:
    """Put failed notices back in the queue with a fresh count (the admin's action)."""
    return Notice.objects.filter(pk__in=ids, state=Notice.State.FAILED).update(
        state=Notice.State.PENDING, attempts=0, next_attempt_at=now or timezone.now()
    )


def notices_purge(*, now: datetime | None = None) -> int:
    """Delete sent, failed and cancelled notices older than ``NOTICE_RETENTION_DAYS``."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.NOTICE_RETENTION_DAYS)
    done = [Notice.State.SENT, Notice.State.FAILED, Notice.State.CANCELLED]
    deleted, _ = Notice.objects.filter(state__in=done, created_at__lt=cutoff).delete()
    return deleted


def sms_opt_out(*, phone: str) -> int:
    """Record that ``phone`` wants no more texts; cancel its waiting ones; return how many."""
    with transaction.atomic():
        SmsOptOut.objects.get_or_create(phone=phone)
        return Notice.objects.filter(
            channel=Notice.Channel.SMS, to=phone, state=Notice.State.PENDING
        ).update(state=Notice.State.CANCELLED, last_error="opted out")
