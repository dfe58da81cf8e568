"""Care visits may name the member records visited, seen only by staff who may see them."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import ORGANIZERS
from events.models import Visit
from members.models import AccessLog, Person


def _person(name, organisation):
    return Person.objects.create(name=name, organisation=organisation, is_driver=True)


@pytest.fixture
def officer_organizer_a(officer_a):
    officer_a.groups.add(Group.objects.get(name=ORGANIZERS))
    return officer_a


@pytest.fixture
def visit_form_data(branch_a):
    return {
        "date": "2026-07-20",
        "organisation": branch_a.pk,
        "person_times": 3,
        "given": "绿豆汤",
        "notes": "",
    }


def test_organizer_without_member_scope_sees_no_people_field(client, organizer, branch_a):
    _person("韦某某", branch_a)
    client.force_login(organizer)
    html = client.get(reverse("events:staff-visit-new")).content.decode()
    assert "韦某某" not in html
    assert 'name="people"' not in html
    assert not AccessLog.objects.exists()


def test_officer_links_only_people_in_scope_and_the_read_is_logged(
    client, officer_organizer_a, branch_a, branch_b, visit_form_data
):
    mine = _person("韦某甲", branch_a)
    theirs = _person("黄某乙", branch_b)
    client.force_login(officer_organizer_a)
    html = client.get(reverse("events:staff-visit-new")).content.decode()
    assert "韦某甲" in html and "黄某乙" not in html
    assert AccessLog.objects.filter(action=AccessLog.Action.LIST).count() == 1
    refused = client.post(
        reverse("events:staff-visit-new"), {**visit_form_data, "people": [theirs.pk]}
    )
    assert refused.status_code == 200
    assert not Visit.objects.exists()
    response = client.post(
        reverse("events:staff-visit-new"), {**visit_form_data, "people": [mine.pk]}
    )
    assert response.status_code == 302
    assert list(Visit.objects.get().people.all()) == [mine]


def test_editing_keeps_links_the_editor_cannot_see(
    client, officer_organizer_a, branch_a, branch_b, visit_form_data
):
    mine = _person("韦某甲", branch_a)
    theirs = _person("黄某乙", branch_b)
    visit = Visit.objects.create(
        date=datetime.date(2026, 7, 20), organisation=branch_a, person_times=2
    )
    visit.people.set([mine, theirs])
    client.force_login(officer_organizer_a)
    url = reverse("events:staff-visit-edit", kwargs={"pk": visit.pk})
    assert "黄某乙" not in client.get(url).content.decode()
    response = client.post(url, {**visit_form_data, "people": []})
    assert response.status_code == 302
    assert list(visit.people.all()) == [theirs]
