"""Reads over the organisation tree."""

from django.db import models


class OrganisationQuerySet(models.QuerySet):
    def subtree_ids(self, roots) -> set[int]:
        """Return the ids of ``roots`` (organisations or ids) and all their descendants.

        One query, whatever the depth: the (id, parent) pairs are read once and walked in
        memory. Organisations number in the hundreds, so this is cheap.
        """
        root_ids = {getattr(root, "pk", root) for root in roots}
        if not root_ids:
            return set()
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in self.model.objects.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, pending = set(), list(root_ids)
        while pending:
            pk = pending.pop()
            if pk in found:
                continue
            found.add(pk)
            pending.extend(children.get(pk, ()))
        return found

    def descendants_of(self, *roots):
        """Organisations in the subtrees of ``roots``, the roots included."""
        return self.filter(pk__in=self.subtree_ids(roots))
