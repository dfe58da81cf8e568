"""Staff accounts and the organisations they work for."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import OrganisationQuerySet


class Organisation(models.Model):
    """A party organisation or partner body; organisations form a tree."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Industry party committee")
        BRANCH = "branch", _("Enterprise party branch")
        JOINT_BRANCH = "joint_branch", _("Joint party branch")
        TRADE_UNION = "trade_union", _("Trade union")
        YOUTH_LEAGUE = "youth_league", _("Youth League")
        WOMENS_FEDERATION = "womens_federation", _("Women's Federation")
        OTHER = "other", _("Other body")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff account. Drivers never need one."""

    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisations"),
        blank=True,
        related_name="staff",
        help_text=_(
            "The organisations this person works for or covers; their sub-organisations "
            "are covered too."
        ),
    )

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")
