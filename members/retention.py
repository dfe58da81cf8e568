"""The access log's retention rule: archive, then delete, the rows past the period.

``settings.ACCESS_LOG_RETENTION_DAYS`` says how long a row is kept (docs/members.md gives
the reasons for the default). Rows past it are first written to a gzip JSON-lines archive
with a SHA-256 checksum file under ``PRIVATE_MEDIA_ROOT/archives/access-log/`` (carried by
the backup with the rest of the private files), then deleted in batches, and the purge
itself is logged.
"""

import gzip
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import services
from .models import AccessLog

logger = logging.getLogger(__name__)

BATCH = 5000
ARCHIVE_FIELDS = [
    "id",
    "at",
    "user_id",
    "username",
    "action",
    "content_type__app_label",
    "content_type__model",
    "object_id",
    "count",
]


def archive_dir() -> Path:
    """Where access-log archives are written: under the private files the backup carries."""
    return Path(settings.PRIVATE_MEDIA_ROOT) / "archives" / "access-log"


@dataclass
class PurgeResult:
    cutoff: datetime
    archived: int
    deleted: int
    archive: Path | None
    checksum: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def access_log_purge(*, now: datetime | None = None, days: int | None = None) -> PurgeResult:
    """Archive and delete the access-log rows older than the retention period.

    Exactly the rows with ``at`` before the cut-off and an id no higher than the newest
    archived one are deleted, so nothing leaves the table without being in the archive.
    The archive is verified against its checksum before anything is deleted. One more
    access-log row (action "purge") records the run.
    """
    now = now or timezone.now()
    days = settings.ACCESS_LOG_RETENTION_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    old = AccessLog.objects.filter(at__lt=cutoff)
    result = PurgeResult(cutoff=cutoff, archived=0, deleted=0, archive=None, checksum="")
    last_id = old.order_by("-pk").values_list("pk", flat=True).first()
    if last_id is None:
        _log(result)
        return result

    folder = archive_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"access-log-before-{cutoff.date().isoformat()}-{stamp}.jsonl.gz"
    partial = path.with_suffix(".part")
    rows = old.filter(pk__lte=last_id).order_by("pk").values_list(*ARCHIVE_FIELDS)
    with gzip.open(partial, "wt", encoding="utf-8") as handle:
        for values in rows.iterator(chunk_size=BATCH):
            record = dict(zip(ARCHIVE_FIELDS, values, strict=True))
            record["at"] = record["at"].isoformat()
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            result.archived += 1
    partial.rename(path)
    result.checksum = _sha256(path)
    Path(f"{path}.sha256").write_text(f"{result.checksum}  {path.name}\n", encoding="ascii")
    # Read it back before deleting anything: a bad disk must not cost rows.
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        if sum(1 for _line in handle) != result.archived:
            raise RuntimeError(f"Access-log archive {path} does not hold every row")
    result.archive = path

    while True:
        with transaction.atomic():
            batch = list(
                old.filter(pk__lte=last_id).order_by("pk").values_list("pk", flat=True)[:BATCH]
            )
            if not batch:
                break
            deleted, _ = AccessLog.objects.filter(pk__in=batch).delete()
            result.deleted += deleted
    _log(result)
    return result


def _log(result: PurgeResult) -> None:
    logger.info(
        "access log purge: cut-off %s, %d archived to %s (sha256 %s), %d deleted",
        result.cutoff.isoformat(),
        result.archived,
        result.archive,
        result.checksum or "-",
        result.deleted,
    )
    services.access_log_record(
        user=None,
        action=AccessLog.Action.PURGE,
        model=AccessLog,
        object_id=result.archive.name if result.archive else "",
        count=result.deleted,
    )
