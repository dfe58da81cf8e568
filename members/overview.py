"""The officers' overview: per organisation in scope, counts and lists, never scores.

Current rules forbid judging party work by check-ins or points, so nothing here ranks
or rates individuals: organisations keep the tree order, people are listed by name.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import Organisation

from .models import LiaisonContact, MentoringPair, PartyMembership
from .querysets import organisations_visible_to

QUIET_DAYS = 90


@dataclass
class OrganisationSummary:
    organisation: Organisation
    depth: int
    members: int = 0
    probationary: int = 0
    mobile: int = 0
    active_pairs: int = 0
    contacts_30: int = 0
    contacts_90: int = 0
    quiet: int = 0


def _tree_order(organisations):
    children: dict = {}
    ids = {org.pk for org in organisations}
    for org in organisations:
        parent = org.parent_id if org.parent_id in ids else None
        children.setdefault(parent, []).append(org)
    ordered, stack = [], [(org, 0) for org in reversed(children.get(None, []))]
    while stack:
        org, depth = stack.pop()
        ordered.append((org, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(org.pk, [])))
    return ordered


def organisation_overview(user, *, today=None) -> list[OrganisationSummary]:
    """Return one summary per organisation ``user`` covers, in tree order.

    A fixed number of queries whatever the number of organisations or people: one per
    figure family, plus the scope (at most three, cached on the user).
    """
    today = today or timezone.localdate()
    since_30, since_90 = today - timedelta(days=30), today - timedelta(days=QUIET_DAYS)
    organisations = list(organisations_visible_to(user).order_by("name"))
    summaries = {
        org.pk: OrganisationSummary(org, depth) for org, depth in _tree_order(organisations)
    }

    memberships = PartyMembership.objects.visible_to(user)
    for row in memberships.values("organisation").annotate(
        total=Count("pk"),
        probationary=Count("pk", filter=Q(status=PartyMembership.Status.PROBATIONARY)),
        mobile=Count("pk", filter=Q(is_mobile=True)),
    ):
        summary = summaries.get(row["organisation"])
        if summary:
            summary.members = row["total"]
            summary.probationary = row["probationary"]
            summary.mobile = row["mobile"]

    for pairs in (
        MentoringPair.objects.visible_to(user)
        .active(today)
        .values("organisation")
        .annotate(total=Count("pk"))
    ):
        if pairs["organisation"] in summaries:
            summaries[pairs["organisation"]].active_pairs = pairs["total"]

    recent = LiaisonContact.objects.visible_to(user).filter(contacted_on__gte=since_90)
    # A contact counts for the organisation whose records hold the person who made it.
    for contacts in recent.values("from_person__organisation").annotate(
        last_90=Count("pk"), last_30=Count("pk", filter=Q(contacted_on__gte=since_30))
    ):
        summary = summaries.get(contacts["from_person__organisation"])
        if summary:
            summary.contacts_30 = contacts["last_30"]
            summary.contacts_90 = contacts["last_90"]

    for row in _quiet(user, today).values("organisation").annotate(total=Count("pk")).order_by():
        summary = summaries.get(row["organisation"])
        if summary:
            summary.quiet = row["total"]
    return list(summaries.values())


def _quiet(user, today):
    """Memberships in scope whose person had no liaison contact in ``QUIET_DAYS``."""
    all_recent = LiaisonContact.objects.filter(contacted_on__gte=today - timedelta(days=QUIET_DAYS))
    return (
        PartyMembership.objects.visible_to(user)
        .exclude(person__in=all_recent.values("from_person"))
        .exclude(person__in=all_recent.values("to_person"))
    )


def quiet_members(user, *, today=None):
    """The members in scope with no liaison contact in 90 days, by name: a queryset of dicts.

    Paginated by the overview page; each dict holds ``pk``, ``name`` and ``organisation``.
    """
    today = today or timezone.localdate()
    return (
        _quiet(user, today)
        .values("organisation", pk=F("person_id"), name=F("person__name"))
        .order_by("person__name", "person_id")
    )
