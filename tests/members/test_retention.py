"""The access log's retention rule: archive first, delete exactly the old rows, log it."""

import gzip
import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from members import retention
from members.models import AccessLog, Person


@pytest.fixture
def aged_rows(officer_a, settings):
    """Rows 10 days either side of the cut-off and one exactly at it."""
    settings.ACCESS_LOG_RETENTION_DAYS = 365
    now = timezone.now()
    person_type = ContentType.objects.get_for_model(Person)
    ages = {"old": [400, 380, 366], "young": [364, 30, 0]}
    made = {}
    for label, days in ages.items():
        made[label] = []
        for age in days:
            row = AccessLog.objects.create(
                user=officer_a,
                username=officer_a.username,
                action=AccessLog.Action.VIEW,
                content_type=person_type,
                object_id=str(age),
            )
            AccessLog.objects.filter(pk=row.pk).update(at=now - timedelta(days=age))
            made[label].append(row.pk)
    return made


def test_purge_archives_then_deletes_exactly_the_old_rows(aged_rows, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("purge_access_log", stdout=out)

    remaining = set(
        AccessLog.objects.exclude(action=AccessLog.Action.PURGE).values_list("pk", flat=True)
    )
    assert remaining == set(aged_rows["young"])

    [archive] = (tmp_path / "archives" / "access-log").glob("*.jsonl.gz")
    assert archive.is_relative_to(tmp_path)  # under the private files the backup carries
    with gzip.open(archive, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    assert [r["id"] for r in records] == sorted(aged_rows["old"])
    assert {r["object_id"] for r in records} == {"400", "380", "366"}
    assert records[0]["content_type__model"] == "person"

    checksum, name = (archive.parent / f"{archive.name}.sha256").read_text().split()
    assert name == archive.name
    assert checksum == hashlib.sha256(archive.read_bytes()).hexdigest()

    purge = AccessLog.objects.get(action=AccessLog.Action.PURGE)
    assert purge.count == 3 and purge.object_id == archive.name
    assert "3 rows archived" in out.getvalue() and "3 deleted" in out.getvalue()


def test_nothing_is_deleted_when_the_archive_cannot_be_written(
    aged_rows, settings, tmp_path, monkeypatch
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(retention.gzip, "open", broken)
    with pytest.raises(OSError):
        retention.access_log_purge()
    assert AccessLog.objects.count() == 6


def test_purge_with_nothing_old_still_logs_itself(officer_a, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    result = retention.access_log_purge()
    assert (result.archived, result.deleted, result.archive) == (0, 0, None)
    assert AccessLog.objects.filter(action=AccessLog.Action.PURGE, count=0).exists()


def test_purge_deletes_in_batches(aged_rows, settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    monkeypatch.setattr(retention, "BATCH", 2)
    result = retention.access_log_purge()
    assert (result.archived, result.deleted) == (3, 3)
