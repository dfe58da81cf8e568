"""Reads over the organisation tree: subtrees, coverage and the committee above a branch.

Organisations number in the hundreds, so every walk reads the whole (id, parent, kind)
table in one query and walks it in memory: one query whatever the depth.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from .models import Organisation

COMMITTEE = "committee"


class StaffSessionQuerySet(models.QuerySet[Any]):
    def alive(self) -> StaffSessionQuerySet:
        """Sessions still within the idle and absolute times (the others end at their next
        request anyway)."""
        from django.conf import settings

        now = timezone.now()
        return self.filter(
            last_seen_at__gte=now - timedelta(minutes=settings.STAFF_IDLE_MINUTES),
            created_at__gte=now - timedelta(hours=settings.STAFF_ABSOLUTE_HOURS),
        )


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def _tree(self) -> dict[int, tuple[int | None, str]]:
        """Map every organisation id to (parent id, kind), in one query."""
        rows = self.model._default_manager.values_list("pk", "parent_id", "kind")
        return {pk: (parent_id, kind) for pk, parent_id, kind in rows}

    def subtree_ids(self, roots: Iterable[Any]) -> set[int]:
        """Return the ids of ``roots`` (organisations or ids) and all their descendants."""
        root_ids = {getattr(root, "pk", root) for root in roots}
        if not root_ids:
            return set()
        children: dict[int | None, list[int]] = {}
        for pk, (parent_id, _kind) in self._tree().items():
            children.setdefault(parent_id, []).append(pk)
        found: set[int] = set()
        pending = list(root_ids)
        while pending:
            pk = pending.pop()
            if pk in found:
                continue
            found.add(pk)
            pending.extend(children.get(pk, ()))
        return found

    def descendants_of(self, *roots: Any) -> OrganisationQuerySet:
        """Organisations in the subtrees of ``roots``, the roots included."""
        return self.filter(pk__in=self.subtree_ids(roots))

    def covered_by(self, user: Any) -> OrganisationQuerySet:
        """Organisations ``user`` works for, with all their sub-organisations."""
        from .permissions import covered_organisation_ids

        return self.filter(pk__in=covered_organisation_ids(user))

    def top_committee(self) -> Organisation | None:
        """The industry party committee at the root of the tree (the oldest if several)."""
        return self.filter(kind=COMMITTEE, parent__isnull=True).order_by("pk").first()

    def committee_above(self, organisation: Organisation) -> Organisation | None:
        """Return the nearest committee above ``organisation``, else the top committee.

        One query for the walk, one to load the committee found.
        """
        tree = self._tree()
        parent_id = tree.get(organisation.pk, (None, ""))[0]
        seen: set[int] = set()
        while parent_id is not None and parent_id not in seen:
            seen.add(parent_id)
            grandparent_id, kind = tree[parent_id]
            if kind == COMMITTEE:
                return self.model._default_manager.get(pk=parent_id)
            parent_id = grandparent_id
        return self.top_committee()


class AccessReviewRow(TypedDict):
    user: Any
    roles: list[str]
    organisations: list[str]
    sees_members: bool
    sees_help: bool
    second_factor: bool
    last_login: datetime | None
    stale: bool


def _direct_permissions(app_label: str) -> models.Count:
    field = "user_permissions__content_type__app_label"
    return models.Count(field, filter=models.Q(**{field: app_label}), distinct=True)


def access_review_rows(*, stale_days: int) -> list[AccessReviewRow]:
    """List every active staff account that can see member records or help requests.

    Superusers, member-records officers, dispatchers, help handlers, and anyone given a
    member-record or help-request permission directly. Three queries, whatever the number.
    """
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .roles import DISPATCHERS, HELP_HANDLERS, MEMBER_RECORDS_OFFICERS, ROLE_LABELS

    user_model = get_user_model()
    member_roles = {MEMBER_RECORDS_OFFICERS}
    help_roles = {DISPATCHERS, HELP_HANDLERS}
    users = (
        user_model._default_manager.filter(is_active=True, is_staff=True)
        .filter(
            models.Q(is_superuser=True)
            | models.Q(groups__name__in=member_roles | help_roles)
            | models.Q(user_permissions__content_type__app_label__in=["members", "helpdesk"])
        )
        .distinct()
        .annotate(
            second_factor=models.Exists(
                TOTPDevice.objects.filter(user_id=models.OuterRef("pk"), confirmed=True)
            ),
            direct_members=_direct_permissions("members"),
            direct_help=_direct_permissions("helpdesk"),
        )
        .prefetch_related("groups", "organisations")
        .order_by("username")
    )
    stale_before = timezone.now() - timedelta(days=stale_days)
    rows: list[AccessReviewRow] = []
    for user in users:
        names = {group.name for group in user.groups.all()}
        rows.append(
            {
                "user": user,
                "roles": [str(ROLE_LABELS.get(name, name)) for name in sorted(names)],
                "organisations": [org.name for org in user.organisations.all()],
                "sees_members": user.is_superuser
                or bool(names & member_roles)
                or bool(user.direct_members),
                "sees_help": user.is_superuser
                or bool(names & help_roles)
                or bool(user.direct_help),
                "second_factor": bool(user.second_factor),
                "last_login": user.last_login,
                "stale": user.last_login is None or user.last_login < stale_before,
            }
        )
    return rows
