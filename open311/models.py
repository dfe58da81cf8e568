"""Partners, the requests they filed, and the log of their calls (no personal values)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Partner(models.Model):
    """A partner channel (a mini-program, the 12328 hotline, an enterprise's driver app).

    Only a hash of its API key is stored; the key itself is shown once, when issued.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact = models.CharField(
        _("contact"), max_length=200, blank=True, help_text=_("Who to call about this channel.")
    )
    active = models.BooleanField(_("active"), default=True)
    key_prefix = models.CharField(_("key prefix"), max_length=8, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    key_issued_at = models.DateTimeField(_("key issued at"), null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Open311 partner")
        verbose_name_plural = _("Open311 partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerRequest(models.Model):
    """Which partner filed a help request, under which of its own request ids."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="requests"
    )
    help_request = models.OneToOneField(
        "helpdesk.HelpRequest",
        verbose_name=_("help request"),
        on_delete=models.CASCADE,
        related_name="open311",
    )
    # A hash of the partner's client request id, when it sent one (idempotent posts).
    client_id_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner request")
        verbose_name_plural = _("partner requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "client_id_hash"],
                condition=~models.Q(client_id_hash=""),
                name="open311_partnerrequest_one_per_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.help_request}"


class CallLog(models.Model):
    """One row per API call: who, which endpoint, the answer. No parameter values."""

    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    endpoint = models.CharField(_("endpoint"), max_length=32)
    method = models.CharField(_("method"), max_length=8)
    response_format = models.CharField(_("format"), max_length=4)
    status = models.PositiveSmallIntegerField(_("status"))
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("Open311 call")
        verbose_name_plural = _("Open311 calls")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint} {self.status}"
