"""Exports off the request: queue a job, build its file in ``run_exports``, hand it over once.

An officer asks for an export in the admin; the job is built by the ``run_exports`` command
(or at once, inside the request, when the scope is small). The rows are the requester's
scope and masking at the time the job runs, through the same resources as before. The file
lives in private storage, is offered to the requester only, once, for
``settings.EXPORT_DOWNLOAD_HOURS``, and is deleted when fetched or expired.
"""

import csv
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from . import resources, services
from .models import AccessLog, ExportJob
from .models.exports import export_upload_to
from .storage import private_storage

logger = logging.getLogger(__name__)

# Rows read and written per step; the job's progress moves by this much.
CHUNK = 1000
# At most this many rows in scope: built inside the request, no worker needed.
INLINE_ROWS = 1000
# Characters openpyxl refuses in a cell (control characters other than tab and newlines).
_XLSX_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


@dataclass(frozen=True)
class Exportable:
    resource: type[resources.SafeExportResource]
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = field(default=())


# What may be exported, by model label; each resource masks and neutralises its cells.
EXPORTABLE: dict[str, Exportable] = {
    "members.person": Exportable(
        resources.PersonExportResource, ("organisation", "employer", "membership")
    ),
    "members.enterprise": Exportable(resources.EnterpriseExportResource, ("organisation",)),
    "members.mentoringpair": Exportable(
        resources.MentoringPairExportResource, ("organisation", "mentor"), ("drivers",)
    ),
    "members.liaisoncontact": Exportable(
        resources.LiaisonContactExportResource, ("from_person", "to_person")
    ),
}


def _model(job: ExportJob) -> type[models.Model]:
    return apps.get_model(job.scope)


def _rows_in_scope(job: ExportJob) -> models.QuerySet:
    """The records the requester may see now, in a stable order (the one gatekeeper)."""
    spec = EXPORTABLE[job.scope]
    model: Any = _model(job)
    return (
        model.objects.visible_to(job.requested_by)
        .select_related(*spec.select_related)
        .order_by("pk")
    )


def export_job_request(*, user: Any, model: type[models.Model], format: str) -> ExportJob:
    """Queue an export of ``model`` in ``user``'s scope; build it now if the scope is small.

    Logs the request (the download is logged again when the file leaves).
    """
    scope = model._meta.label_lower
    if scope not in EXPORTABLE or format not in ExportJob.Format.values:
        raise ValueError(f"Cannot export {scope} as {format}")
    with transaction.atomic():
        job = ExportJob.objects.create(requested_by=user, scope=scope, format=format)
        job.rows_total = _rows_in_scope(job).count()
        job.save(update_fields=["rows_total"])
        services.access_log_record(
            user=user, action=AccessLog.Action.EXPORT_REQUEST, model=model, count=job.rows_total
        )
    if job.rows_total <= INLINE_ROWS and _claim(job):
        export_job_run(job=job)
    return job


def _claim(job: ExportJob) -> bool:
    """Mark a queued job as running; False if another worker took it first."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=now
    )
    if claimed:
        job.status, job.started_at = ExportJob.Status.RUNNING, now
    return bool(claimed)


def export_job_claim_next() -> ExportJob | None:
    """Take the oldest queued job for this worker, or None when the queue is empty."""
    while True:
        job = (
            ExportJob.objects.filter(status=ExportJob.Status.QUEUED)
            .select_related("requested_by")
            .order_by("created_at", "pk")
            .first()
        )
        if job is None:
            return None
        if _claim(job):
            return job


def _chunks(job: ExportJob) -> Iterator[list[models.Model]]:
    spec = EXPORTABLE[job.scope]
    rows = _rows_in_scope(job)
    last = 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        if spec.prefetch_related:
            prefetch_related_objects(chunk, *spec.prefetch_related)
        yield chunk
        last = chunk[-1].pk


def _cells(job: ExportJob) -> Iterator[list[Any]]:
    """Yield the header row, then every record's row; record progress after each chunk."""
    resource = EXPORTABLE[job.scope].resource(user=job.requested_by)
    yield list(resource.export(queryset=[]).headers or [])
    done = 0
    for chunk in _chunks(job):
        for row in resource.export(queryset=chunk):
            yield list(row)
        done += len(chunk)
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)


def _write_csv(job: ExportJob, path: Path) -> None:
    # UTF-8 with a byte-order mark: what spreadsheet programs need to read Chinese.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        for row in _cells(job):
            writer.writerow(["" if cell is None else cell for cell in row])


def _write_xlsx(job: ExportJob, path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in _cells(job):
        sheet.append(
            [_XLSX_ILLEGAL.sub("", cell) if isinstance(cell, str) else cell for cell in row]
        )
    workbook.save(path)


def export_job_run(*, job: ExportJob) -> ExportJob:
    """Build a claimed (running) job's file in private storage and offer it.

    Any failure marks the job failed and removes the partial file.
    """
    name = export_upload_to(job, "")
    path = Path(private_storage.path(name))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        writer = _write_xlsx if job.format == ExportJob.Format.XLSX else _write_csv
        writer(job, path)
        # Rows actually written: the scope may have changed since the job was queued.
        job.rows_total = job.rows_done = _count_rows(job)
    except Exception:
        logger.exception("export job %s failed", job.pk)
        path.unlink(missing_ok=True)
        job.status = ExportJob.Status.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        return job
    now = timezone.now()
    job.file.name = name
    job.status = ExportJob.Status.DONE
    job.finished_at = now
    job.expires_at = now + timedelta(hours=settings.EXPORT_DOWNLOAD_HOURS)
    job.save()
    return job


def _count_rows(job: ExportJob) -> int:
    return ExportJob.objects.values_list("rows_done", flat=True).get(pk=job.pk)


def export_job_fetch(*, job: ExportJob, user: Any) -> IO[bytes] | None:
    """Hand the file over once: return it open, or None if no longer offered.

    The job is marked downloaded first (one request wins), the file is removed from
    storage (the open handle still reads it) and the download is logged.
    """
    model = _model(job)
    # The requester must still hold the export permission when the file leaves.
    if not user.has_perm(f"{model._meta.app_label}.export_{model._meta.model_name}"):
        return None
    now = timezone.now()
    taken = ExportJob.objects.filter(
        pk=job.pk, requested_by=user, status=ExportJob.Status.DONE, expires_at__gt=now
    ).update(status=ExportJob.Status.DOWNLOADED, downloaded_at=now)
    name = job.file.name
    if not taken or not name:
        return None
    try:
        handle = private_storage.open(name, "rb")
    except FileNotFoundError:
        return None
    private_storage.delete(name)
    ExportJob.objects.filter(pk=job.pk).update(file="")
    services.access_log_record(
        user=user, action=AccessLog.Action.EXPORT, model=model, count=job.rows_total
    )
    return handle


def export_jobs_expire(*, now: Any = None) -> int:
    """Delete the files of jobs past their time; return how many jobs expired."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        if job.file.name:
            private_storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
            status=ExportJob.Status.EXPIRED, file=""
        )
        expired += 1
    return expired
