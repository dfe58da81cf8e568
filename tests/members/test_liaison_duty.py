"""Liaison duty (班子成员联系企业党组织): the member records' access matrix, the audit trail,
and the overview's enterprises with no contact in 90 days."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import AccessLog, DutyContact, Enterprise, LiaisonDuty

pytestmark = pytest.mark.django_db

RAISED = "司机休息室空调坏了，需要协调维修"

PERSONAS = [
    "anonymous",
    "organizer",
    "dispatcher",
    "officer_a",
    "officer_b",
    "committee_officer",
    "superuser",
]
# Per URL kind, for the duty and contact of an enterprise of branch A.
EXPECTED = {
    "duty_changelist": ["login", 403, 403, "A", "empty", "A", "A"],
    "duty_change": ["login", 404, 404, "A", 404, "A", "A"],
    "duty_history": ["login", 404, 404, 200, 404, 200, 200],
    "contact_changelist": ["login", 403, 403, "A", "empty", "A", "A"],
    "contact_change": ["login", 404, 404, "A", 404, "A", "A"],
    "contact_history": ["login", 404, 404, 200, 404, 200, 200],
}


@pytest.fixture
def chair(make_user, committee):
    return make_user("chair", None, [committee], first_name="主任")


@pytest.fixture
def duty_a(enterprise_a, chair):
    return LiaisonDuty.objects.create(
        committee_member=chair, enterprise=enterprise_a, started_on=timezone.localdate()
    )


@pytest.fixture
def contact_a(duty_a):
    return DutyContact.objects.create(
        duty=duty_a, contacted_on=timezone.localdate(), method="visit", raised=RAISED
    )


@pytest.fixture
def enterprise_b(branch_b):
    return Enterprise.objects.create(
        name="乙运输公司", credit_code="91350100M000100Y43"[:-2] + "X8", organisation=branch_b
    )


def _url(kind, duty, contact):
    return {
        "duty_changelist": reverse("admin:members_liaisonduty_changelist"),
        "duty_change": reverse("admin:members_liaisonduty_change", args=[duty.pk]),
        "duty_history": reverse("admin:members_liaisonduty_history", args=[duty.pk]),
        "contact_changelist": reverse("admin:members_dutycontact_changelist"),
        "contact_change": reverse("admin:members_dutycontact_change", args=[contact.pk]),
        "contact_history": reverse("admin:members_dutycontact_history", args=[contact.pk]),
    }[kind]


@pytest.mark.parametrize(
    ("kind", "persona", "expected"),
    [
        (kind, persona, expected)
        for kind, row in EXPECTED.items()
        for persona, expected in zip(PERSONAS, row, strict=True)
    ],
)
def test_liaison_duty_access_matrix(request, client, kind, persona, expected, duty_a, contact_a):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(_url(kind, duty_a, contact_a))
    if expected == "login":
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        return
    if expected in ("A", "empty"):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        text = response.content.decode()
        shown = duty_a.enterprise.name in text or RAISED in text or str(duty_a) in text
        assert shown == (expected == "A"), kind
        return
    assert response.status_code == expected


def test_reads_and_changes_are_logged_and_kept_in_history(client, officer_a, duty_a, contact_a):
    client.force_login(officer_a)
    client.get(reverse("admin:members_dutycontact_change", args=[contact_a.pk]))
    response = client.post(
        reverse("admin:members_dutycontact_change", args=[contact_a.pk]),
        {
            "duty": duty_a.pk,
            "contacted_on": timezone.localdate().isoformat(),
            "method": "phone",
            "raised": RAISED,
            "follow_up": "已联系物业，周五修好",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    actions = list(
        AccessLog.objects.filter(user=officer_a, content_type__model="dutycontact").values_list(
            "action", "object_id"
        )
    )
    assert ("view", str(contact_a.pk)) in actions and ("change", str(contact_a.pk)) in actions
    assert contact_a.history.count() == 2
    assert not AccessLog.objects.filter(object_id__contains=RAISED).exists()


def test_officer_cannot_attach_a_contact_to_another_branchs_duty(
    client, officer_b, duty_a, enterprise_b
):
    client.force_login(officer_b)
    response = client.post(
        reverse("admin:members_dutycontact_add"),
        {
            "duty": duty_a.pk,
            "contacted_on": timezone.localdate().isoformat(),
            "method": "visit",
            "raised": "x",
        },
    )
    assert response.status_code == 200  # the form refuses the choice
    assert DutyContact.objects.count() == 0


def test_overview_lists_enterprises_with_no_contact_in_90_days(
    client, committee_officer, officer_b, chair, enterprise_a, enterprise_b
):
    today = timezone.localdate()
    duty = LiaisonDuty.objects.create(
        committee_member=chair, enterprise=enterprise_a, started_on=today - timedelta(days=200)
    )
    DutyContact.objects.create(
        duty=duty, contacted_on=today - timedelta(days=91), method="visit", raised="旧"
    )
    client.force_login(committee_officer)
    html = client.get(reverse("members:overview")).content.decode()
    section = html.split('id="duty-quiet"')[1]
    assert enterprise_a.name in section and enterprise_b.name in section
    assert "2 enterprises" in section or "2" in section.split('id="duty-quiet-count"')[1][:40]

    DutyContact.objects.create(duty=duty, contacted_on=today, method="phone", raised="新")
    html = client.get(reverse("members:overview")).content.decode()
    section = html.split('id="duty-quiet"')[1]
    assert enterprise_a.name not in section and enterprise_b.name in section

    # An officer of branch B sees only their own enterprise.
    client.force_login(officer_b)
    section = client.get(reverse("members:overview")).content.decode().split('id="duty-quiet"')[1]
    assert enterprise_b.name in section and enterprise_a.name not in section
