"""Reads for the member records: the organisation tree and the one access gatekeeper.

Every list, page, export, autocomplete and download of member data starts from
``visible_to(user)`` or ``editable_by(user)`` on these querysets. Member-records officers see
the people of the organisations they cover and of every sub-organisation; superusers see
everything; everyone else (organizers, station managers, dispatchers, anonymous) nothing.
"""

from django.db import models
from django.db.models import Q

from .roles import MEMBER_RECORDS_OFFICERS

# The scope is worked out once per request and kept on the user object.
_SCOPE_ATTR = "_members_scope"


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

    def visible_to(self, user):
        scope = member_scope(user)
        return self if scope is None else self.filter(pk__in=scope)


def is_records_officer(user) -> bool:
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return any(group.name == MEMBER_RECORDS_OFFICERS for group in user.groups.all())


def member_scope(user) -> set[int] | None:
    """Return the organisation ids whose people ``user`` may see; None means all.

    At most three queries (groups, covered organisations, the tree), once per request.
    """
    cached = getattr(user, _SCOPE_ATTR, False)
    if cached is not False:
        return cached
    from .models import Organisation, User

    if user and user.is_authenticated and user.is_active and user.is_superuser:
        scope = None
    elif is_records_officer(user):
        roots = User.organisations.through.objects.filter(user_id=user.pk).values_list(
            "organisation_id", flat=True
        )
        scope = Organisation.objects.subtree_ids(list(roots))
    else:
        scope = set()
    if user is not None:
        setattr(user, _SCOPE_ATTR, scope)
    return scope


def _scoped(queryset, user, lookup: Q | None = None, *, perm: str | None = None):
    """Filter ``queryset`` to ``user``'s scope using ``lookup(scope)``."""
    if perm is not None and not (user and user.is_authenticated and user.has_perm(perm)):
        return queryset.none()
    scope = member_scope(user)
    if scope is None:
        return queryset
    if not scope:
        return queryset.none()
    return queryset.filter(lookup(scope)) if lookup else queryset.none()


def _person_lookup(prefix: str = ""):
    def lookup(scope):
        return (
            Q(**{f"{prefix}organisation__in": scope})
            | Q(**{f"{prefix}membership__organisation__in": scope})
            | Q(**{f"{prefix}membership__home_organisation__in": scope})
        )

    return lookup


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """People kept by, members of, or registered with an organisation in scope."""
        return _scoped(self, user, _person_lookup())

    def editable_by(self, user):
        return _scoped(self, user, _person_lookup(), perm="members.change_person")


class EnterpriseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _scoped(self, user, lambda scope: Q(organisation__in=scope))

    def editable_by(self, user):
        return _scoped(
            self, user, lambda scope: Q(organisation__in=scope), perm="members.change_enterprise"
        )


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _scoped(self, user, _person_lookup("person__"))

    def editable_by(self, user):
        return _scoped(
            self, user, _person_lookup("person__"), perm="members.change_partymembership"
        )


class DossierEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _scoped(self, user, _person_lookup("person__"))

    def editable_by(self, user):
        # Entries are never edited; "editable" means the user may add to this dossier.
        return _scoped(self, user, _person_lookup("person__"), perm="members.add_dossierentry")


class MentoringPairQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _scoped(self, user, lambda scope: Q(organisation__in=scope))

    def editable_by(self, user):
        return _scoped(
            self,
            user,
            lambda scope: Q(organisation__in=scope),
            perm="members.change_mentoringpair",
        )

    def active(self, on=None):
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class LiaisonContactQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Contacts whose both ends are people ``user`` may see."""
        scope = member_scope(user)
        if scope is None:
            return self
        if not scope:
            return self.none()
        from .models import Person

        people = Person.objects.visible_to(user).values("pk")
        return self.filter(from_person__in=people, to_person__in=people)

    def editable_by(self, user):
        if not (user and user.is_authenticated and user.has_perm("members.change_liaisoncontact")):
            return self.none()
        return self.visible_to(user)
