"""Aggregate counts of the member records, for the public figures and the committee report.

Only counts leave this module, never rows, and every count about people passes through
small-cell suppression (``portal.lib.cells``): a branch with 3 mobile members shows
"fewer than 5". Enterprise counts are about companies and are shown as they are.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any, TypedDict

from django.db.models import Count, Q

from accounts.models import Organisation
from portal.lib.cells import Suppressed, suppress

from .models import DutyContact, Enterprise, PartyMembership, Person

Cell = int | Suppressed


class BranchCounts(TypedDict):
    organisation: str
    members: Cell
    probationary: Cell
    mobile: Cell


class MemberFigures(TypedDict):
    members: Cell
    probationary: Cell
    mobile: Cell
    enterprises: int
    drivers: Cell
    by_branch: list[BranchCounts]


def member_figures(organisation_ids: Iterable[int] | None = None) -> MemberFigures:
    """Return suppressed counts of members, enterprises and drivers; None means everywhere.

    With ``organisation_ids`` only the records of those organisations count (the caller
    passes a whole subtree). Three aggregate queries plus the organisation names.
    """
    memberships = PartyMembership.objects.all()
    enterprises = Enterprise.objects.all()
    drivers = Person.objects.filter(is_driver=True)
    if organisation_ids is not None:
        ids = list(organisation_ids)
        memberships = memberships.filter(organisation__in=ids)
        enterprises = enterprises.filter(organisation__in=ids)
        drivers = drivers.filter(organisation__in=ids)
    counts = {"total": Count("pk"), "probationary": Count("pk", filter=Q(status="probationary"))}
    counts["mobile"] = Count("pk", filter=Q(is_mobile=True))
    grouped: Any = memberships.order_by().values("organisation").annotate(**counts)
    rows: list[dict[str, Any]] = list(grouped)
    names = dict(
        Organisation.objects.filter(pk__in=[row["organisation"] for row in rows]).values_list(
            "pk", "name"
        )
    )
    by_branch: list[BranchCounts] = [
        {
            "organisation": names[counted["organisation"]],
            "members": suppress(counted["total"]),
            "probationary": suppress(counted["probationary"]),
            "mobile": suppress(counted["mobile"]),
        }
        for counted in sorted(rows, key=lambda found: names[found["organisation"]])
    ]
    total = memberships.order_by().aggregate(**counts)
    return {
        "members": suppress(total["total"]),
        "probationary": suppress(total["probationary"]),
        "mobile": suppress(total["mobile"]),
        "enterprises": enterprises.count(),
        "drivers": suppress(drivers.count()),
        "by_branch": by_branch,
    }


def duty_contact_count(organisation_ids: Iterable[int], start: date, end: date) -> int:
    """Count liaison-duty contacts with these organisations' enterprises from start to end."""
    return DutyContact.objects.filter(
        duty__enterprise__organisation__in=list(organisation_ids),
        contacted_on__gte=start,
        contacted_on__lt=end,
    ).count()
