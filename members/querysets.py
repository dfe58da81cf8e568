"""Reads for the member records: the organisation tree and the one access gatekeeper.

Every list, page, export, autocomplete and download of member data starts from
``visible_to(user)`` or ``editable_by(user)`` on these querysets. Member-records officers see
the people of the organisations they cover and of every sub-organisation; superusers see
everything; everyone else (organizers, station managers, dispatchers, anonymous) nothing.
"""

from collections.abc import Callable
from datetime import date
from typing import Any, Self, TypeVar

from django.db import models
from django.db.models import Q

from accounts.permissions import covered_organisation_ids, is_records_officer, is_superuser


def member_scope(user: Any) -> set[int] | None:
    """Return the organisation ids whose people ``user`` may see; None means all.

    Superusers see all; member-records officers the organisations they cover; everyone
    else (organizers, station managers, dispatchers, help handlers, anonymous) nothing.
    """
    if is_superuser(user):
        return None
    if is_records_officer(user):
        return covered_organisation_ids(user)
    return set()


def organisations_visible_to(user: Any) -> models.QuerySet:
    """The organisations whose member records ``user`` may see."""
    from accounts.models import Organisation

    scope = member_scope(user)
    organisations = Organisation.objects.all()
    return organisations if scope is None else organisations.filter(pk__in=scope)


# Builds the filter for the records of the organisations in a scope.
Lookup = Callable[[set[int]], Q]
QS = TypeVar("QS", bound=models.QuerySet)


def _may(user: Any, perm: str) -> bool:
    """Tell whether a signed-in ``user`` holds the model permission ``perm``."""
    return bool(user and user.is_authenticated and user.has_perm(perm))


def _scoped(queryset: QS, user: Any, lookup: Lookup, *, perm: str | None = None) -> QS:
    """Filter ``queryset`` to ``user``'s scope using ``lookup(scope)``."""
    if perm is not None and not _may(user, perm):
        return queryset.none()
    scope = member_scope(user)
    if scope is None:
        return queryset
    if not scope:
        return queryset.none()
    return queryset.filter(lookup(scope))


def _organisation_lookup(scope: set[int]) -> Q:
    return Q(organisation__in=scope)


def _person_lookup(prefix: str = "") -> Lookup:
    def lookup(scope: set[int]) -> Q:
        from .models import PartyMembership

        # Members managed or registered in scope, as an id subquery rather than a join with
        # an OR across two tables: each side then uses its own index (measured at the
        # city's scale, bench/staff_scale.py).
        members = PartyMembership.objects.filter(
            Q(organisation__in=scope) | Q(home_organisation__in=scope)
        ).values("person_id")
        person = f"{prefix}pk" if not prefix else prefix.removesuffix("__")
        return Q(**{f"{prefix}organisation__in": scope}) | Q(**{f"{person}__in": members})

    return lookup


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """People kept by, members of, or registered with an organisation in scope."""
        return _scoped(self, user, _person_lookup())

    def editable_by(self, user: Any) -> Self:
        return _scoped(self, user, _person_lookup(), perm="members.change_person")


class EnterpriseQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        return _scoped(self, user, _organisation_lookup)

    def without_duty_contact_since(self, day: date) -> Self:
        """Enterprises with no liaison-duty contact on or after ``day`` (or none ever)."""
        return self.exclude(liaison_duties__contacts__contacted_on__gte=day)

    def editable_by(self, user: Any) -> Self:
        return _scoped(self, user, _organisation_lookup, perm="members.change_enterprise")


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        return _scoped(self, user, _person_lookup("person__"))

    def editable_by(self, user: Any) -> Self:
        return _scoped(
            self, user, _person_lookup("person__"), perm="members.change_partymembership"
        )


class DossierEntryQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        return _scoped(self, user, _person_lookup("person__"))

    def editable_by(self, user: Any) -> Self:
        # Entries are never edited; "editable" means the user may add to this dossier.
        return _scoped(self, user, _person_lookup("person__"), perm="members.add_dossierentry")


class MentoringPairQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        return _scoped(self, user, _organisation_lookup)

    def editable_by(self, user: Any) -> Self:
        return _scoped(self, user, _organisation_lookup, perm="members.change_mentoringpair")

    def active(self, on: date | None = None) -> Self:
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))


class LiaisonContactQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """Contacts whose both ends are people ``user`` may see (the people's own rule)."""
        return _scoped(
            self,
            user,
            lambda scope: (
                _person_lookup("from_person__")(scope) & _person_lookup("to_person__")(scope)
            ),
        )

    def editable_by(self, user: Any) -> Self:
        if not _may(user, "members.change_liaisoncontact"):
            return self.none()
        return self.visible_to(user)


def _enterprise_lookup(prefix: str) -> Lookup:
    def lookup(scope: set[int]) -> Q:
        return Q(**{f"{prefix}enterprise__organisation__in": scope})

    return lookup


class LiaisonDutyQuerySet(models.QuerySet):
    """Liaison duties, scoped by the organisation of the enterprise liaised with."""

    def visible_to(self, user: Any) -> Self:
        return _scoped(self, user, _enterprise_lookup(""))

    def editable_by(self, user: Any) -> Self:
        return _scoped(self, user, _enterprise_lookup(""), perm="members.change_liaisonduty")


class DutyContactQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        return _scoped(self, user, _enterprise_lookup("duty__"))

    def editable_by(self, user: Any) -> Self:
        return _scoped(self, user, _enterprise_lookup("duty__"), perm="members.change_dutycontact")


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> Self:
        """An export job is its requester's alone; nobody else sees or fetches it."""
        if not (user and user.is_authenticated):
            return self.none()
        return self.filter(requested_by=user)
