"""Every read of a record or document, and every change, writes exactly one log row."""

import pytest
from django.urls import reverse

from members.models import AccessLog, DossierEntry, PartyMembership, Person


def _only_new_log(before_ids):
    rows = list(AccessLog.objects.exclude(pk__in=before_ids))
    assert len(rows) == 1, [(r.action, r.object_id) for r in rows]
    return rows[0]


def _ids():
    return list(AccessLog.objects.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("url_name", "action"),
    [
        ("admin:members_person_change", AccessLog.Action.VIEW),
        ("admin:members_person_history", AccessLog.Action.HISTORY),
    ],
)
def test_reading_a_record_writes_one_log_row(client, officer_a, person_a, url_name, action):
    client.force_login(officer_a)
    before = _ids()
    assert client.get(reverse(url_name, args=[person_a.pk])).status_code == 200
    row = _only_new_log(before)
    assert (row.action, row.object_id, row.user) == (action, str(person_a.pk), officer_a)
    assert row.content_type.model == "person"


def test_downloading_a_document_writes_one_log_row(client, officer_a, document_a):
    client.force_login(officer_a)
    before = _ids()
    response = client.get(reverse("members:dossier-download", args=[document_a.pk]))
    b"".join(response.streaming_content)
    row = _only_new_log(before)
    assert (row.action, row.object_id) == (AccessLog.Action.DOWNLOAD, str(document_a.pk))


def test_refused_reads_write_no_log_row(client, officer_b, person_a, document_a):
    client.force_login(officer_b)
    before = _ids()
    client.get(reverse("admin:members_person_change", args=[person_a.pk]))
    client.get(reverse("members:dossier-download", args=[document_a.pk]))
    assert _ids() == before


def test_changing_a_person_writes_one_log_row_and_history(client, officer_a, person_a):
    client.force_login(officer_a)
    before = _ids()
    response = client.post(
        reverse("admin:members_person_change", args=[person_a.pk]),
        {
            "name": person_a.name,
            "phone": "１３８ ００００ ０００９",  # full-width digits and spaces, normalised
            "organisation": person_a.organisation_id,
            "employer": "",
            "is_driver": "on",
            "certificate_number": "demo 123",
            "notes": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = _only_new_log(before)
    assert (row.action, row.object_id) == (AccessLog.Action.CHANGE, str(person_a.pk))
    person_a.refresh_from_db()
    assert person_a.phone == "13800000009"
    assert person_a.certificate_number == "DEMO123"
    assert person_a.history.count() == 2


def test_log_rows_carry_no_personal_values(client, officer_a, person_a, document_a):
    client.force_login(officer_a)
    client.get(reverse("admin:members_person_change", args=[person_a.pk]))
    client.get(reverse("admin:members_person_changelist") + "?q=" + person_a.phone)
    for row in AccessLog.objects.all():
        text = " ".join(str(value) for value in row.__dict__.values())
        assert person_a.name not in text
        assert person_a.phone not in text


def test_changing_membership_logs_once_and_adds_status_entry(client, officer_a, person_a):
    client.force_login(officer_a)
    membership = person_a.membership
    before = _ids()
    entries = DossierEntry.objects.filter(person=person_a, kind=DossierEntry.Kind.STATUS)
    assert entries.count() == 1  # "membership recorded" when it was created
    response = client.post(
        reverse("admin:members_partymembership_change", args=[membership.pk]),
        {
            "person": person_a.pk,
            "organisation": membership.organisation_id,
            "status": PartyMembership.Status.PROBATIONARY,
            "joined_on": "2020-07-01",
            "home_organisation": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    row = _only_new_log(before)
    assert row.action == AccessLog.Action.CHANGE
    assert entries.count() == 2
    assert "2020-07-01" in entries.first().text


def test_access_log_is_read_only_even_for_superusers(client, superuser, officer_a, person_a):
    client.force_login(officer_a)
    client.get(reverse("admin:members_person_change", args=[person_a.pk]))
    row = AccessLog.objects.get(action=AccessLog.Action.VIEW)
    assert client.get(reverse("admin:members_accesslog_changelist")).status_code == 403
    client.force_login(superuser)
    assert client.get(reverse("admin:members_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:members_accesslog_add")).status_code == 403
    change = client.post(reverse("admin:members_accesslog_change", args=[row.pk]), {"action": "x"})
    assert change.status_code in (200, 403)
    assert client.post(reverse("admin:members_accesslog_delete", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.action == AccessLog.Action.VIEW
    assert AccessLog.objects.filter(pk=row.pk).exists()


def test_person_list_is_logged_once(client, officer_a, person_a):
    client.force_login(officer_a)
    before = _ids()
    client.get(reverse("admin:members_person_changelist"))
    row = _only_new_log(before)
    assert (row.action, row.count) == (AccessLog.Action.LIST, 1)


def test_autocomplete_is_logged_once(client, officer_a, person_a):
    client.force_login(officer_a)
    before = _ids()
    client.get(
        reverse("admin:autocomplete"),
        {"app_label": "members", "model_name": "dossierentry", "field_name": "person", "term": ""},
    )
    assert _only_new_log(before).action == AccessLog.Action.SEARCH


def test_officer_cannot_create_people_outside_scope(client, officer_a, branch_b):
    client.force_login(officer_a)
    response = client.post(
        reverse("admin:members_person_add"),
        {"name": "某人", "phone": "", "organisation": branch_b.pk, "certificate_number": ""},
    )
    assert response.status_code == 200
    assert not Person.objects.exists()


def test_django_admin_log_keeps_no_member_names(client, officer_a, branch_a):
    from django.contrib.admin.models import LogEntry

    client.force_login(officer_a)
    response = client.post(
        reverse("admin:members_person_add"),
        {"name": "新增某人", "phone": "", "organisation": branch_a.pk, "certificate_number": ""},
    )
    assert response.status_code == 302
    assert Person.objects.filter(name="新增某人").exists()
    assert not LogEntry.objects.filter(object_repr__contains="新增某人").exists()
    assert AccessLog.objects.filter(action=AccessLog.Action.ADD).count() == 1


def test_history_version_page_is_scoped_and_logged_once(client, officer_a, officer_b, person_a):
    version = person_a.history.first()
    url = reverse("admin:members_person_simple_history", args=[person_a.pk, version.history_id])
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    client.force_login(officer_a)
    before = _ids()
    response = client.get(url)
    assert response.status_code == 200
    assert _only_new_log(before).action == AccessLog.Action.HISTORY
