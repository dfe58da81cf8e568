"""Liaison duty (班子成员联系企业党组织): committee members and the enterprises they liaise with.

Each member of the industry committee's leadership liaises with the party organisations of
some enterprises; every contact (date, how, what was raised, the follow-up) is recorded.
Kept, scoped and audited like the other member records: the enterprise's organisation
decides who may see a duty and its contacts (``members.querysets``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..querysets import DutyContactQuerySet, LiaisonDutyQuerySet
from .people import Enterprise


class LiaisonDuty(models.Model):
    """A committee member's standing duty to liaise with one enterprise's party organisation."""

    committee_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("committee member"),
        on_delete=models.PROTECT,
        related_name="liaison_duties",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="liaison_duties",
        help_text=_("The enterprise whose party organisation this member liaises with."),
    )
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = LiaisonDutyQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison duty")
        verbose_name_plural = _("liaison duties")
        ordering = ["enterprise__name", "-started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="members_liaisonduty_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return _("Liaison duty %(number)s") % {"number": self.pk}


class DutyContact(models.Model):
    """One contact made under a liaison duty: when, how, what was raised, the follow-up."""

    class Method(models.TextChoices):
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        PHONE = "phone", _("Phone call")
        MESSAGE = "message", _("Message")

    duty = models.ForeignKey(
        LiaisonDuty,
        verbose_name=_("liaison duty"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    contacted_on = models.DateField(_("date"))
    method = models.CharField(_("how"), max_length=16, choices=Method.choices)
    raised = models.TextField(_("what was raised"), max_length=2000)
    follow_up = models.TextField(_("follow-up"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = DutyContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison duty contact")
        verbose_name_plural = _("liaison duty contacts")
        ordering = ["-contacted_on", "-pk"]
        indexes = [models.Index(fields=["contacted_on"], name="members_dutycontact_date_idx")]

    def __str__(self) -> str:
        return _("Liaison duty contact %(number)s") % {"number": self.pk}
