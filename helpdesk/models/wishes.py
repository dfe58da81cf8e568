"""Micro-wishes (微心愿): small wishes drivers leave, reviewed by staff, shown on a wall."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from helpdesk.querysets import WishQuerySet

# Long digit runs in a public wish text are masked: a driver may type a phone into it.
_DIGIT_RUN = re.compile(r"[0-9０-９][0-9０-９\s\-]{5,}[0-9０-９]")


class Road(models.TextChoices):
    G228 = "G228", "G228"
    G219 = "G219", "G219"


class Wish(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Waiting for a helper")
        CLAIMED = "claimed", _("Claimed")
        FULFILLED = "fulfilled", _("Fulfilled")

    text = models.TextField(_("wish"), max_length=500)
    surname = models.CharField(_("surname"), max_length=4, blank=True)
    road = models.CharField(_("road"), max_length=8, choices=Road.choices, blank=True)
    phone = models.CharField(_("callback phone"), max_length=16, blank=True)
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.OPEN, editable=False
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    rejected = models.BooleanField(_("rejected"), default=False, editable=False)
    claimed_by_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("claimed by organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    claimed_by_volunteer = models.CharField(
        _("claimed by volunteer"), max_length=50, blank=True, editable=False
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True, editable=False)
    thank_you = models.CharField(_("thank-you note"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = WishQuerySet.as_manager()

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(state="claimed") | Q(state="fulfilled"))
                | Q(claimed_at__isnull=False),
                name="helpdesk_wish_claimed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def public_text(self) -> str:
        return _DIGIT_RUN.sub("****", self.text)

    @property
    def claimed_by_public(self) -> str:
        if self.claimed_by_organisation_id:
            return self.claimed_by_organisation.name
        if self.claimed_by_volunteer:
            return str(_("a volunteer"))
        return ""
