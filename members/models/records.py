"""What the records keep about people: dossiers, mentoring pairs, liaison contacts."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation

from ..querysets import DossierEntryQuerySet, LiaisonContactQuerySet, MentoringPairQuerySet
from ..storage import private_storage
from .people import PartyMembership, Person

# File name extension and media type of each stored document kind.
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}
MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


def dossier_upload_to(instance, filename: str) -> str:
    """Store under a random name: the uploaded name may carry personal data."""
    return f"dossier/{uuid.uuid4().hex}.{EXTENSIONS.get(instance.content_kind, 'bin')}"


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
        return f"dossier-{self.pk}.{EXTENSIONS.get(self.content_kind, 'bin')}"

    @property
    def media_type(self) -> str:
        """The document's media type, as read from its content when it was added."""
        return MEDIA_TYPES[self.content_kind]


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
