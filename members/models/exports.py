"""Export jobs: a spreadsheet of member records built outside the web request."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..querysets import ExportJobQuerySet
from ..storage import private_storage


def export_upload_to(instance, filename: str) -> str:
    """Store under a random name in the private storage's exports folder."""
    return f"exports/{uuid.uuid4().hex}.{instance.format}"


class ExportJob(models.Model):
    """One export asked for by one officer: queued, built by ``run_exports``, fetched once.

    The rows are the requester's scope and masking when the job runs; the file is offered
    to the requester only, once, until ``expires_at``.
    """

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready to download")
        DOWNLOADED = "downloaded", _("Downloaded")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The model label of the records exported ("members.person").
    scope = models.CharField(_("records"), max_length=64)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=export_upload_to, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("offered until"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="members_exportjob_queue")]

    def __str__(self) -> str:
        return f"{self.scope} {self.format} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.DOWNLOADED):
            return 100
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def is_offered(self) -> bool:
        """Tell whether the file may still be downloaded (once, before it expires)."""
        return (
            self.status == self.Status.DONE
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def download_name(self) -> str:
        """A file name carrying no personal data."""
        return f"{self.scope.split('.')[-1]}-export-{self.pk}.{self.format}"
