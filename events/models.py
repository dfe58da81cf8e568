"""Care events (notices of what is coming, records of what happened) and care visits."""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from events.querysets import EventQuerySet, VisitQuerySet
from portal.lib.text import validate_plain_text
from portal.lib.timezone import local_tz


class EventKind(models.TextChoices):
    SUMMER_COOLING = "summer_cooling", _("Summer cooling")
    SENDING_WARMTH = "sending_warmth", _("Sending warmth")
    VISIT = "visit", _("Visit and consolation")
    SAFETY_TRAINING = "safety_training", _("Road-safety training")
    POLICY_BRIEFING = "policy_briefing", _("Policy briefing")
    PARTY_LESSON = "party_lesson", _("Micro party lesson")
    FORUM = "forum", _("Forum")
    OTHER = "other", _("Other")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


class Recorded(models.Model):
    """Who created a row and when it was created and last changed."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Event(Recorded):
    """A care event notice: what is coming, and afterwards what happened."""

    Kind = EventKind
    Status = EventStatus

    uid = models.UUIDField(_("calendar id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[validate_plain_text])
    description = models.TextField(
        _("description"),
        blank=True,
        validators=[validate_plain_text],
        help_text=_(
            "Plain text. Leave an empty line between paragraphs; web addresses become links."
        ),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    place = models.CharField(
        _("place"),
        max_length=200,
        blank=True,
        validators=[validate_plain_text],
        help_text=_("Where it is held, when it is not at a station."),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organising organisation"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("How many people may come; empty if open."),
    )
    cover = models.ImageField(_("cover image"), upload_to="events/covers/", blank=True)
    cover_small = models.ImageField(
        _("cover image (small)"), upload_to="events/covers/", blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    status_note = models.CharField(
        _("status note"),
        max_length=500,
        blank=True,
        validators=[validate_plain_text],
        help_text=_("Why it was postponed or cancelled, and what happens instead."),
    )
    # Set when the event is postponed: the date it was first planned for, kept so drivers can
    # tell the old date from the new one; and whether the new date is still to be announced.
    postponed_from = models.DateTimeField(_("originally planned for"), null=True, blank=True)
    date_to_be_announced = models.BooleanField(_("new date to be announced"), default=False)
    published = models.BooleanField(_("published"), default=False)
    # Bumped on every change so subscribed calendars replace their copy (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    report = models.TextField(
        _("report"), blank=True, validators=[validate_plain_text], help_text=_("What happened.")
    )
    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["published", "ends_at"], name="events_event_pub_ends"),
            models.Index(fields=["station", "starts_at"], name="events_event_station_starts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="events_event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(station__isnull=False) | ~Q(place=""),
                name="events_event_has_venue",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values),
                name="events_event_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EventStatus.values),
                name="events_event_status_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"pk": self.pk})

    @property
    def local_starts_at(self) -> datetime:
        return timezone.localtime(self.starts_at, local_tz())

    @property
    def local_ends_at(self) -> datetime:
        return timezone.localtime(self.ends_at, local_tz())

    @property
    def venue_name(self) -> str:
        return self.station.name if self.station is not None else self.place

    @property
    def status_title(self) -> str:
        """The title, prefixed when cancelled or postponed (many calendars ignore STATUS)."""
        if self.is_cancelled:
            return _("Cancelled: %(title)s") % {"title": self.title}
        if self.is_postponed and self.date_to_be_announced:
            return _("Postponed, new date to be announced: %(title)s") % {"title": self.title}
        if self.is_postponed and self.postponed_from:
            return _("Postponed to %(date)s: %(title)s") % {
                "date": date_format(self.local_starts_at, "SHORT_DATE_FORMAT"),
                "title": self.title,
            }
        if self.is_postponed:
            return _("Postponed: %(title)s") % {"title": self.title}
        return self.title

    @property
    def postponement(self) -> str:
        """Say the old date and the new one ("to be announced") of a postponed event."""
        if not (self.is_postponed and self.postponed_from):
            return ""
        old = date_format(timezone.localtime(self.postponed_from, local_tz()), "DATETIME_FORMAT")
        if self.date_to_be_announced:
            return _("Originally planned for %(old)s; the new date will be announced.") % {
                "old": old
            }
        return _("Postponed from %(old)s to %(new)s.") % {
            "old": old,
            "new": date_format(self.local_starts_at, "DATETIME_FORMAT"),
        }

    def may_report(self, now=None) -> bool:
        """A report is for an event that has begun and was not cancelled."""
        return not self.is_cancelled and self.starts_at <= (now or timezone.now())

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_postponed(self) -> bool:
        return self.status == self.Status.POSTPONED

    def is_over(self, now=None) -> bool:
        return self.ends_at < (now or timezone.now())


class EventPhoto(models.Model):
    """A photo taken at an event, added with the report afterwards."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="events/photos/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="events/photos/", editable=False)
    caption = models.CharField(
        _("caption"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("event photo")
        verbose_name_plural = _("event photos")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name or ""


class Visit(Recorded):
    """A care visit (走访慰问), counted in person-times."""

    date = models.DateField(_("date"))
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    person_times = models.PositiveIntegerField(
        _("person-times"), help_text=_("How many people were visited, counted per visit.")
    )
    given = models.CharField(
        _("what was given"),
        max_length=300,
        blank=True,
        validators=[validate_plain_text],
        help_text=_("Supplies, money or services handed over."),
    )
    notes = models.TextField(_("notes"), blank=True, validators=[validate_plain_text])
    # Optional links to member records: shown only to staff who may see those people
    # (members.Person.objects.visible_to), never on a public page.
    people = models.ManyToManyField(
        "members.Person",
        verbose_name=_("people visited (member records)"),
        blank=True,
        related_name="care_visits",
    )
    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person_times__gte=1), name="events_visit_person_times_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.date:%Y-%m-%d}"
