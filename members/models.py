import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation

from .credit_code import validate_credit_code
from .phones import validate_canonical_mobile
from .querysets import (
    DossierEntryQuerySet,
    EnterpriseQuerySet,
    LiaisonContactQuerySet,
    MembershipQuerySet,
    MentoringPairQuerySet,
    PersonQuerySet,
)
from .storage import private_storage


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
        from django.core.exceptions import ValidationError

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


def dossier_upload_to(instance, filename: str) -> str:
    """Store under a random name: the uploaded name may carry personal data."""
    extension = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}.get(instance.content_kind, "bin")
    return f"dossier/{uuid.uuid4().hex}.{extension}"


class DossierEntry(models.Model):
    """One entry of a member's dossier (一人一袋). Entries are never changed or deleted."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        STATUS = "status", _("Status change")
        DOCUMENT = "document", _("Document")

    class ContentKind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="dossier"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("text"), blank=True)
    document = models.FileField(
        _("document"), storage=private_storage, upload_to=dossier_upload_to, blank=True
    )
    content_kind = models.CharField(
        _("file type"), max_length=8, choices=ContentKind.choices, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DossierEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier entry")
        verbose_name_plural = _("dossier entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="document", content_kind__in=["pdf", "jpeg", "png"])
                | (~Q(kind="document") & Q(content_kind="")),
                name="members_dossierentry_document_has_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def download_name(self) -> str:
        """A file name carrying no personal data."""
        extension = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}.get(self.content_kind, "bin")
        return f"dossier-{self.pk}.{extension}"


class MentoringPair(models.Model):
    """One leads many (一带多): an enterprise party member looks after several drivers."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="mentoring_pairs",
    )
    mentor = models.ForeignKey(
        Person,
        verbose_name=_("mentor"),
        on_delete=models.PROTECT,
        related_name="mentoring",
        help_text=_("An enterprise party member."),
    )
    drivers = models.ManyToManyField(Person, verbose_name=_("drivers"), related_name="mentored_by")
    started_on = models.DateField(_("start date"))
    ended_on = models.DateField(_("end date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[drivers])

    objects = MentoringPairQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentoring pair")
        verbose_name_plural = _("mentoring pairs")
        ordering = ["-started_on", "pk"]
        permissions = [("export_mentoringpair", _("Can export mentoring pairs"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="members_mentoringpair_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return _("Mentoring pair %(number)s") % {"number": self.pk}


class LiaisonContact(models.Model):
    """Two-way liaison (双向联络): who contacted whom, when and how."""

    class Direction(models.TextChoices):
        MEMBER_TO_DRIVER_MEMBER = (
            "member_to_driver_member",
            _("Enterprise party member → driver party member"),
        )
        DRIVER_MEMBER_TO_DRIVER = (
            "driver_member_to_driver",
            _("Driver party member → non-member driver"),
        )

    class Method(models.TextChoices):
        VISIT = "visit", _("Visit")
        PHONE = "phone", _("Phone call")
        MESSAGE = "message", _("Message")

    from_person = models.ForeignKey(
        Person, verbose_name=_("who"), on_delete=models.PROTECT, related_name="contacts_made"
    )
    to_person = models.ForeignKey(
        Person, verbose_name=_("whom"), on_delete=models.PROTECT, related_name="contacts_received"
    )
    direction = models.CharField(_("direction"), max_length=32, choices=Direction.choices)
    method = models.CharField(_("how"), max_length=16, choices=Method.choices)
    contacted_on = models.DateField(_("when"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = LiaisonContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison contact")
        verbose_name_plural = _("liaison contacts")
        ordering = ["-contacted_on", "-pk"]
        permissions = [("export_liaisoncontact", _("Can export liaison contacts"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_person=models.F("to_person")),
                name="members_liaisoncontact_two_people",
            ),
        ]
        indexes = [models.Index(fields=["contacted_on"], name="members_liaison_date_idx")]

    def __str__(self) -> str:
        return _("Liaison contact %(number)s") % {"number": self.pk}

    def clean(self):
        """Check the two people fit the direction the article names."""
        from django.core.exceptions import ValidationError

        if not (self.from_person_id and self.to_person_id and self.direction):
            return
        if self.from_person_id == self.to_person_id:
            raise ValidationError(_("A liaison contact is between two different people."))
        who = PartyMembership.objects.filter(person_id=self.from_person_id).exists()
        whom = PartyMembership.objects.filter(person_id=self.to_person_id).exists()
        whom_drives = Person.objects.filter(pk=self.to_person_id, is_driver=True).exists()
        if not who:
            raise ValidationError(
                {"from_person": _("The person making contact must be a party member.")}
            )
        if self.direction == self.Direction.MEMBER_TO_DRIVER_MEMBER and not (whom and whom_drives):
            raise ValidationError(
                {
                    "to_person": _(
                        "For this direction the person contacted is a driver party member."
                    )
                }
            )
        if self.direction == self.Direction.DRIVER_MEMBER_TO_DRIVER and (whom or not whom_drives):
            raise ValidationError(
                {"to_person": _("For this direction the person contacted is a non-member driver.")}
            )


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

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.content_type_id}:{self.object_id}"
