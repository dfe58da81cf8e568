"""Exports: own permission, scoped rows, masked numbers, neutralised formulas, logged.

Exports are built as jobs off the request (``members.exports``); a small scope is built at
once, so these tests ask, then fetch the file from the job's page.
"""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from members.models import AccessLog, ExportJob, Person
from members.resources import neutralise

from .conftest import CERT_A, PHONE_A, grant_exports

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _post_export(client, fmt):
    """Ask for an export in the admin, then fetch the file from the job's page."""
    response = client.post(reverse("admin:members_person_export"), {"format": fmt})
    if response.status_code != 302:
        return response
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == reverse("members:export-job", args=[job.pk])
    return client.post(reverse("members:export-job-download", args=[job.pk]))


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def dangerous_people(branch_a):
    return [
        Person.objects.create(name=text, notes=text, organisation=branch_a) for text in DANGEROUS
    ]


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_quotes_formula_starts(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "138****0001", "", "a=b", 42, None])
def test_neutralise_leaves_harmless_values(value):
    assert neutralise(value) == value


def test_export_csv_neutralises_formulas_and_masks(
    client, exporting_officer_a, person_a, person_b, dangerous_people
):
    client.force_login(exporting_officer_a)
    response = _post_export(client, "csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    content = _content(response).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    cells = [cell for row in rows for cell in row]
    for value in DANGEROUS:
        assert "'" + value in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    # Scoped: branch B's member is not in officer A's export.
    assert person_b.name not in cells
    assert person_a.name in cells
    # Masked, like every list.
    body = content
    assert PHONE_A not in body and CERT_A not in body
    assert "138****0001" in cells


def test_export_xlsx_has_no_formula_cells(client, exporting_officer_a, dangerous_people):
    client.force_login(exporting_officer_a)
    response = _post_export(client, "xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(_content(response)))
    sheet = book.active
    values = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.value
            values.append(cell.value)
    for value in DANGEROUS:
        # XML turns a carriage return into a line feed; the quote still comes first.
        assert "'" + value.replace("\r", "\n") in values


def test_export_is_logged_when_asked_and_when_fetched(
    client, exporting_officer_a, person_a, person_b
):
    client.force_login(exporting_officer_a)
    before = AccessLog.objects.count()
    _post_export(client, "csv")
    assert AccessLog.objects.count() == before + 2
    asked = AccessLog.objects.get(action=AccessLog.Action.EXPORT_REQUEST)
    fetched = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert (asked.count, fetched.count) == (1, 1)
    assert fetched.username == exporting_officer_a.username


def test_export_needs_its_own_permission(client, officer_a, person_a):
    client.force_login(officer_a)
    assert client.get(reverse("admin:members_person_changelist")).status_code == 200
    assert _post_export(client, "csv").status_code == 403
    assert not ExportJob.objects.exists()
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_export_of_officer_b_holds_only_branch_b(client, officer_b, person_a, person_b):
    grant_exports(officer_b)
    client.force_login(officer_b)
    body = _content(_post_export(client, "csv")).decode("utf-8-sig")
    assert person_b.name in body
    assert person_a.name not in body
