"""Who the records are about: enterprises, people and their party memberships."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation

from ..credit_code import validate_credit_code
from ..phones import validate_canonical_mobile
from ..querysets import EnterpriseQuerySet, MembershipQuerySet, PersonQuerySet


class Enterprise(models.Model):
    """A registered freight operator and the party organisation that covers it."""

    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18 characters; the last one is a check character."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=32, blank=True, validators=[validate_canonical_mobile]
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("party organisation"),
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        permissions = [("export_enterprise", _("Can export enterprises"))]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Anyone the records mention: a driver or an enterprise's staff member."""

    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(
        _("mobile phone"),
        max_length=20,
        blank=True,
        validators=[validate_canonical_mobile],
        help_text=_("Mainland mobile (11 digits) or a Vietnamese number starting with +84."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("records kept by"),
        on_delete=models.PROTECT,
        related_name="people",
        help_text=_("The organisation whose records hold this person."),
    )
    employer = models.ForeignKey(
        Enterprise,
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    is_driver = models.BooleanField(_("driver"), default=True)
    certificate_number = models.CharField(
        _("qualification certificate number"),
        max_length=32,
        blank=True,
        help_text=_("The driver's road-transport qualification certificate (从业资格证)."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "pk"]
        permissions = [("export_person", _("Can export people"))]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(phone=""),
                name="members_person_phone_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartyMembership(models.Model):
    """A person's party membership: one per member, with mobile-member details."""

    class Status(models.TextChoices):
        FULL = "full", _("Full member")
        PROBATIONARY = "probationary", _("Probationary member")

    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("managing organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text=_("The local organisation that manages this member."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    joined_on = models.DateField(_("date joined"), null=True, blank=True)
    is_mobile = models.BooleanField(
        _("mobile party member"),
        default=False,
        help_text=_("Registered elsewhere and managed here (one home, dual management)."),
    )
    home_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("home organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_mobile_memberships",
        help_text=_("Where a mobile member's membership is registered."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("party membership")
        verbose_name_plural = _("party memberships")
        ordering = ["person__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_mobile=False, home_organisation__isnull=True)
                | (
                    Q(is_mobile=True, home_organisation__isnull=False)
                    & ~Q(home_organisation=models.F("organisation"))
                ),
                name="members_partymembership_mobile_has_other_home",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)

    def clean(self):
        if self.is_mobile and not self.home_organisation_id:
            raise ValidationError(
                {"home_organisation": _("A mobile member needs a home organisation.")}
            )
        if not self.is_mobile and self.home_organisation_id:
            raise ValidationError(
                {"home_organisation": _("Only a mobile member has a separate home organisation.")}
            )
        if self.is_mobile and self.home_organisation_id == self.organisation_id:
            raise ValidationError(
                {"home_organisation": _("The home organisation must differ from the managing one.")}
            )
