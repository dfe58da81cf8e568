"""The access log: who read or changed which member record, and when."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
    """Who read or changed which member record, when. No personal values are stored."""

    class Action(models.TextChoices):
        LIST = "list", _("List")
        SEARCH = "search", _("Search")
        VIEW = "view", _("View")
        HISTORY = "history", _("History")
        ADD = "add", _("Add")
        CHANGE = "change", _("Change")
        DELETE = "delete", _("Delete")
        DOWNLOAD = "download", _("Document download")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        OVERVIEW = "overview", _("Overview")
        EXPORT_REQUEST = "export_request", _("Export requested")
        PURGE = "purge", _("Retention purge")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    count = models.PositiveIntegerField(
        _("rows"), null=True, blank=True, help_text=_("Rows in a list or export.")
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        # The auditor's two questions: "who read record X?" and "what did user Y read over
        # a period?". ``at`` alone serves the newest-first list and the retention purge.
        indexes = [
            models.Index(
                fields=["object_id", "content_type", "at"], name="members_accesslog_record_at"
            ),
            models.Index(fields=["user", "at"], name="members_accesslog_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} · {self.get_action_display()}"
