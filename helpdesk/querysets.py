"""Reads on help requests and micro-wishes; ``visible_to`` is each model's one gatekeeper.

Help requests are seen and handled only by the dispatch desk (dispatchers, who see all),
superusers, help handlers for the requests held by an organisation they cover, and the
helper a request was transferred to by name while they hold it. Wishes are reviewed by
dispatchers and superusers only. Everyone else gets an empty queryset, and so 404 on a
record's page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Case, F, OrderBy, Q, Value, When
from django.utils import timezone

from accounts.permissions import (
    covered_organisation_ids,
    is_active_staff,
    is_dispatcher,
    is_help_handler,
    is_superuser,
)

from .choices import OPEN_STATES, State

# Open states in which someone has to act now; a followed-up request only waits to be closed.
ACTION_STATES = [state for state in OPEN_STATES if state != State.FOLLOWED_UP]


def is_desk(user: Any) -> bool:
    """Tell whether ``user`` is the desk: dispatchers and superusers see every request."""
    return is_superuser(user) or is_dispatcher(user)


class HelpRequestQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> HelpRequestQuerySet:
        """The gatekeeper: the requests ``user`` may see and handle.

        Dispatchers (the desk that collects every request) and superusers see all. A help
        handler sees the requests held by an organisation they cover (their organisations
        and every sub-organisation); the helper a request was transferred to by name sees
        that request while they hold it. Every other account, whatever its organisations
        (organizers, station managers, member-records officers), sees none.
        """
        if not is_active_staff(user):
            return self.none()
        if is_desk(user):
            return self
        held = Q(holder_user=user)
        if is_help_handler(user):
            held |= Q(holder_organisation_id__in=covered_organisation_ids(user))
        return self.filter(held)

    def open(self) -> HelpRequestQuerySet:
        return self.filter(state__in=OPEN_STATES)

    def queue_order(self, now: datetime | None = None) -> HelpRequestQuerySet:
        """What needs action now first (see ``queue_ordering``)."""
        return self.order_by(*queue_ordering(now))

    def held_by(self, user: Any) -> HelpRequestQuerySet:
        """The requests ``user`` holds: by name, or through an organisation they work for."""
        return self.filter(
            Q(holder_user=user) | Q(holder_organisation_id__in=covered_organisation_ids(user))
        )


def queue_ordering(now: datetime | None = None) -> list[OrderBy]:
    """The queue's order as expressions (the help admin uses it too).

    1. open requests someone must act on that are overdue or urgent; 2. the other open
    requests someone must act on; 3. those waiting only to be closed (followed up);
    4. finished ones (in the "all" view). Within each: the earliest deadline first (so the
    longest overdue leads), none last; then urgent; then the oldest; then the id, so pages
    never repeat or skip a row.
    """
    now = now or timezone.now()
    acting = Q(state__in=ACTION_STATES)
    bucket = Case(
        When(acting & (Q(urgent=True) | Q(due_at__lt=now)), then=Value(0)),
        When(acting, then=Value(1)),
        When(state__in=OPEN_STATES, then=Value(2)),
        default=Value(3),
        output_field=models.IntegerField(),
    )
    return [
        bucket.asc(),
        F("due_at").asc(nulls_last=True),
        F("urgent").desc(),
        F("created_at").asc(),
        F("id").asc(),
    ]


class WishQuerySet(models.QuerySet):
    def public(self) -> WishQuerySet:
        """Wishes approved by staff, newest first; what the public wall may show."""
        return self.filter(approved_at__isnull=False, rejected=False)

    def visible_to(self, user: Any) -> WishQuerySet:
        """Staff who review wishes (dispatchers, superusers) see every wish, others none."""
        if is_desk(user):
            return self
        return self.none()
