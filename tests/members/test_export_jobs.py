"""Export jobs: built off the request, offered once to the requester only, then gone."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from members import exports
from members.models import AccessLog, ExportJob, Person
from members.storage import private_storage

from .conftest import CERT_A, PHONE_A, PHONE_B, grant_exports


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def _download(client, job):
    return client.post(reverse("members:export-job-download", args=[job.pk]))


@pytest.fixture
def big_scope(monkeypatch):
    """Make every scope 'large': the job waits for the worker instead of running inline."""
    monkeypatch.setattr(exports, "INLINE_ROWS", 0)


def test_large_export_waits_for_the_worker_and_shows_progress(
    client, exporting_officer_a, person_a, person_b, big_scope
):
    client.force_login(exporting_officer_a)
    response = client.post(reverse("admin:members_person_export"), {"format": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert (job.status, job.rows_total, bool(job.file)) == (ExportJob.Status.QUEUED, 1, False)
    page = client.get(reverse("members:export-job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "<progress" in page
    assert _download(client, job).status_code == 404  # nothing to fetch yet

    call_command("run_exports", "--once", stdout=io.StringIO())
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ExportJob.Status.DONE, 1)
    assert job.expires_at > timezone.now()
    page = client.get(reverse("members:export-job", args=[job.pk])).content.decode()
    assert reverse("members:export-job-download", args=[job.pk]) in page

    rows = _rows(_download(client, job))
    cells = [cell for row in rows for cell in row]
    # Scope: branch B's person is absent. Masking: no full phone or certificate.
    assert person_a.name in cells and person_b.name not in cells
    assert PHONE_A not in cells and CERT_A not in cells and "138****0001" in cells
    assert len(rows) == 2  # header + the one person in scope


def test_file_is_offered_once_then_deleted(client, exporting_officer_a, person_a):
    client.force_login(exporting_officer_a)
    client.post(reverse("admin:members_person_export"), {"format": "csv"})
    job = ExportJob.objects.get()
    name = job.file.name
    assert private_storage.exists(name)
    assert _download(client, job).status_code == 200
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DOWNLOADED and not job.file
    assert not private_storage.exists(name)
    assert _download(client, job).status_code == 404
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 1


@pytest.mark.parametrize("persona", ["officer_b", "superuser", "organizer", "dispatcher"])
def test_file_is_offered_only_to_its_requester(
    request, client, exporting_officer_a, person_a, persona
):
    other = request.getfixturevalue(persona)
    grant_exports(other)
    client.force_login(exporting_officer_a)
    client.post(reverse("admin:members_person_export"), {"format": "csv"})
    job = ExportJob.objects.get()
    client.force_login(other)
    assert client.get(reverse("members:export-job", args=[job.pk])).status_code == 404
    assert _download(client, job).status_code == 404
    listing = client.get(reverse("members:export-jobs"))
    if persona in ("organizer", "dispatcher"):
        assert listing.status_code == 404
    else:
        assert listing.status_code == 200 and job.download_name not in listing.content.decode()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE  # still there for its requester


def test_anonymous_is_sent_to_sign_in(client, exporting_officer_a, person_a):
    client.force_login(exporting_officer_a)
    client.post(reverse("admin:members_person_export"), {"format": "csv"})
    job = ExportJob.objects.get()
    client.logout()
    for url in (
        reverse("members:export-jobs"),
        reverse("members:export-job", args=[job.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert _download(client, job).status_code in (302, 404)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE


def test_file_expires(client, exporting_officer_a, person_a):
    client.force_login(exporting_officer_a)
    client.post(reverse("admin:members_person_export"), {"format": "xlsx"})
    job = ExportJob.objects.get()
    name = job.file.name
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _download(client, job).status_code == 404
    call_command("run_exports", "--once", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file
    assert not private_storage.exists(name)
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_revoked_export_permission_stops_the_download(client, exporting_officer_a, person_a):
    client.force_login(exporting_officer_a)
    client.post(reverse("admin:members_person_export"), {"format": "csv"})
    job = ExportJob.objects.get()
    exporting_officer_a.user_permissions.clear()
    client.force_login(type(exporting_officer_a).objects.get(pk=exporting_officer_a.pk))
    assert _download(client, job).status_code == 404


def test_job_runs_in_chunks_and_counts_every_row(
    exporting_officer_a, branch_a, big_scope, monkeypatch
):
    monkeypatch.setattr(exports, "CHUNK", 7)
    Person.objects.bulk_create(
        Person(name=f"司机{i}", organisation=branch_a, phone=f"139{i:08d}") for i in range(30)
    )
    job = exports.export_job_request(user=exporting_officer_a, model=Person, format="csv")
    job = exports.export_job_run(job=exports.export_job_claim_next())
    assert (job.status, job.rows_total, job.rows_done) == (ExportJob.Status.DONE, 30, 30)
    with private_storage.open(job.file.name, "rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert len(rows) == 31
    assert PHONE_B not in str(rows)
    assert len({row[0] for row in rows[1:]}) == 30  # every id once


def test_export_request_page_renders_for_the_admin(client, exporting_officer_a):
    client.force_login(exporting_officer_a)
    response = client.get(reverse("admin:members_person_export"))
    assert response.status_code == 200
    assert 'name="format"' in response.content.decode()
