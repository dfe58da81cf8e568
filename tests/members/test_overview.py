"""The officers' overview: per organisation counts and lists, scoped, never ranked."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import (
    AccessLog,
    LiaisonContact,
    MentoringPair,
    PartyMembership,
    Person,
)
from members.overview import organisation_overview, quiet_members

from .conftest import make_member


def _contact(who, whom, days_ago):
    return LiaisonContact.objects.create(
        from_person=who,
        to_person=whom,
        direction=LiaisonContact.Direction.MEMBER_TO_DRIVER_MEMBER,
        method=LiaisonContact.Method.VISIT,
        contacted_on=timezone.localdate() - timedelta(days=days_ago),
    )


def test_overview_counts_per_organisation(officer_a, branch_a, person_a):
    today = timezone.localdate()
    mentor = make_member(name="导师甲", phone="13900000001", cert="", organisation=branch_a)
    probationary = make_member(
        name="预备甲",
        phone="13800000031",
        cert="",
        organisation=branch_a,
        status=PartyMembership.Status.PROBATIONARY,
    )
    mobile = make_member(name="流动甲", phone="13800000032", cert="", organisation=branch_a)
    membership = mobile.membership
    membership.is_mobile, membership.home_organisation = True, branch_a.parent
    services.membership_save(membership=membership, user=None)
    pair = MentoringPair.objects.create(
        organisation=branch_a, mentor=mentor, started_on=today - timedelta(days=10)
    )
    pair.drivers.set([person_a])
    MentoringPair.objects.create(
        organisation=branch_a,
        mentor=mentor,
        started_on=today - timedelta(days=100),
        ended_on=today - timedelta(days=1),
    )
    _contact(mentor, person_a, 3)
    _contact(mentor, probationary, 45)
    _contact(mentor, mobile, 120)

    [summary] = organisation_overview(officer_a)
    assert summary.organisation == branch_a
    assert (summary.members, summary.probationary, summary.mobile) == (4, 1, 1)
    assert summary.active_pairs == 1
    assert (summary.contacts_30, summary.contacts_90) == (1, 2)
    assert summary.quiet == 1
    assert [p["name"] for p in quiet_members(officer_a)] == ["流动甲"]


def test_overview_page_is_scoped_logged_and_has_no_rankings(client, officer_a, person_a, person_b):
    client.force_login(officer_a)
    response = client.get(reverse("members:overview"))
    html = response.content.decode()
    assert person_a.name in html  # no contact yet: listed as quiet
    assert person_b.name not in html
    assert person_b.organisation.name not in html
    # People appear as plain names in a list, with no figure beside them.
    assert f">{person_a.name}</a> · {person_a.organisation.name}</li>" in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert AccessLog.objects.filter(action=AccessLog.Action.OVERVIEW).count() == 1


def test_overview_for_committee_officer_lists_the_tree(
    client, make_user, committee, person_a, person_b
):
    from accounts.roles import MEMBER_RECORDS_OFFICERS

    officer = make_user("committee_officer", MEMBER_RECORDS_OFFICERS, [committee])
    sections = organisation_overview(officer)
    assert [s.organisation for s in sections][0] == committee
    assert {s.organisation for s in sections} == {
        committee,
        person_a.organisation,
        person_b.organisation,
    }
    assert [s.depth for s in sections] == [0, 1, 1]
    assert Person.objects.visible_to(officer).count() == 2


def test_overview_has_one_h1_in_each_language(client, officer_a, person_a):
    import re

    client.force_login(officer_a)
    for prefix, language in [("", "zh-hans"), ("/en", "en"), ("/vi", "vi")]:
        html = client.get(f"{prefix}/members/overview/").content.decode()
        assert len(re.findall(r"<h1[\s>]", html)) == 1
        assert f'lang="{language}"' in html


def test_overview_paginates_quiet_members_and_says_how_many(
    client, officer_a, branch_a, django_assert_max_num_queries
):
    people = Person.objects.bulk_create(
        Person(name=f"成员{i:03d}", organisation=branch_a) for i in range(130)
    )
    PartyMembership.objects.bulk_create(
        PartyMembership(person=p, organisation=branch_a, status=PartyMembership.Status.FULL)
        for p in people
    )
    client.force_login(officer_a)
    url = reverse("members:overview")
    with django_assert_max_num_queries(14):
        first = client.get(url).content.decode()
    last = client.get(url + "?page=2").content.decode()
    assert "成员000" in first and "成员099" in first and "成员100" not in first
    assert "成员100" in last and "成员129" in last and "成员099" not in last
    assert "130" in first  # the total is said, not only the page
    seen = {n for n in (f"成员{i:03d}" for i in range(130)) if n in first or n in last}
    assert len(seen) == 130
