"""Imports: errors per row, nothing written when any row is bad, scope enforced."""

import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from members.models import AccessLog, Enterprise, Person
from members.resources import PersonImportResource

HEADERS = ["name", "phone", "organisation", "employer", "is_driver", "certificate_number"]


def _dataset(rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def test_import_is_all_or_nothing_with_errors_per_row(officer_a, branch_a, branch_b):
    rows = [
        ("甲一", "13800000011", branch_a.name, "", "1", "DEMO1"),
        ("甲二", "12345", branch_a.name, "", "1", ""),  # bad phone
        ("乙一", "13800000012", branch_b.name, "", "1", ""),  # outside officer A's scope
        ("", "13800000013", branch_a.name, "", "1", ""),  # no name
    ]
    result = PersonImportResource(user=officer_a).import_data(_dataset(rows), dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    failed = {row.number for row in result.invalid_rows} | {
        number for number, _errors in result.row_errors()
    }
    assert failed == {2, 3, 4}
    assert not Person.objects.exists()
    assert not AccessLog.objects.exists()


def test_import_creates_people_normalised_and_logged(officer_a, branch_a):
    rows = [
        ("甲一", "１３８ ００００ ００１１", branch_a.name, "", "1", "demo 1"),
        ("甲二", "+84 900 000 002", branch_a.name, "", "0", ""),
    ]
    result = PersonImportResource(user=officer_a).import_data(_dataset(rows), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert sorted(Person.objects.values_list("phone", flat=True)) == [
        "+84900000002",
        "13800000011",
    ]
    assert Person.objects.get(name="甲一").certificate_number == "DEMO1"
    assert AccessLog.objects.filter(action=AccessLog.Action.IMPORT).count() == 2


def test_import_never_updates_existing_people(officer_a, branch_a, person_b):
    rows = [("乙改", person_b.phone, branch_a.name, "", "1", "")]
    result = PersonImportResource(user=officer_a).import_data(_dataset(rows), dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    person_b.refresh_from_db()
    assert person_b.name != "乙改"


def test_admin_import_shows_row_errors_and_writes_nothing(client, officer_a, branch_a):
    client.force_login(officer_a)
    csv_text = "name,phone,organisation,employer,is_driver,certificate_number\n"
    csv_text += f"甲一,13800000011,{branch_a.name},,1,\n甲二,bad,{branch_a.name},,1,\n"
    upload = SimpleUploadedFile("people.csv", csv_text.encode(), "text/csv")
    response = client.post(
        reverse("admin:members_person_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors() or result.has_errors()
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert not Person.objects.exists()


def test_admin_import_needs_add_permission(client, organizer):
    client.force_login(organizer)
    assert client.get(reverse("admin:members_person_import")).status_code == 403


def test_import_names_organisations_and_enterprises_only_within_scope(
    officer_a, branch_a, branch_b, enterprise_a
):
    enterprise_b = Enterprise.objects.create(
        name="乙物流公司", credit_code="91350100M000200Y4X", organisation=branch_b
    )
    rows = [
        ("甲一", "", branch_a.name, enterprise_a.credit_code, "1", ""),
        ("甲二", "", branch_b.name, "", "1", ""),
        ("甲三", "", branch_a.name, enterprise_b.credit_code, "1", ""),
    ]
    result = PersonImportResource(user=officer_a).import_data(_dataset(rows), dry_run=True)
    messages = {
        row.number: " ".join(str(error) for errors in row.error_dict.values() for error in errors)
        for row in result.invalid_rows
    }
    assert set(messages) == {2, 3}
    assert gettext("No organisation of that name in your records.") in messages[2]
    assert gettext("No enterprise with that credit code in your records.") in messages[3]
    assert not Person.objects.exists()
