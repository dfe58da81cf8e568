"""Reads over the organisation tree: subtrees, coverage and the committee above a branch.

Organisations number in the hundreds, so every walk reads the whole (id, parent, kind)
table in one query and walks it in memory: one query whatever the depth.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from .models import Organisation

COMMITTEE = "committee"


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
