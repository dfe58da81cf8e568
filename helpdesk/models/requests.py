"""Help requests (诉求): the request, its append-only event log and the category deadlines."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.permissions import (
    covered_organisation_ids,
    is_active_staff,
    is_dispatcher,
    is_help_handler,
)
from helpdesk.choices import OPEN_STATES, Category, Level, State
from helpdesk.querysets import HelpRequestQuerySet


class HelpRequest(models.Model):
    """A driver's request for help. ``state`` mirrors the newest state event (see services)."""

    code = models.CharField(_("tracking code"), max_length=8, unique=True, editable=False)
    # One token per rendering of the public form: a resent POST finds its request again.
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    description = models.TextField(_("what happened"), max_length=2000)
    phone = models.CharField(_("callback phone"), max_length=16)
    name = models.CharField(_("name"), max_length=50, blank=True)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("station"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_requests",
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    location_text = models.CharField(_("where"), max_length=200, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    # Text messages about this request to the callback phone: only when the driver asked.
    sms_opt_in = models.BooleanField(_("text messages wanted"), default=False)
    # The language the driver used (the text messages are written in it).
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    state = models.CharField(
        _("state"), max_length=32, choices=State.choices, default=State.RECEIVED, editable=False
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.INDIVIDUAL, editable=False
    )
    holder_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("held by organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_requests",
        editable=False,
    )
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held by helper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="held_help_requests",
        editable=False,
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = HelpRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "due_at"], name="helpdesk_request_state_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(duplicate_of=models.F("id")),
                name="helpdesk_helprequest_not_own_duplicate",
            ),
        ]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    def derived_state(self) -> str:
        """Return the state the event log gives (one query); ``state`` must equal it."""
        last = self.events.exclude(kind="note").order_by("-created_at", "-id").first()
        return last.to_state if last else State.RECEIVED

    def phone_visible_to(self, user) -> bool:
        """Tell whether ``user`` may read the full callback phone (others see it masked).

        Only whoever holds the request: the helper it was transferred to by name, help
        handlers of the holding organisation, or the dispatch desk while the desk holds it
        (before the transfer, and for the follow-up call once it is resolved).
        """
        if not is_active_staff(user):
            return False
        if self.holder_user_id == user.pk:
            return True
        if is_help_handler(user) and self.holder_organisation_id in covered_organisation_ids(user):
            return True
        return is_dispatcher(user) and self.state in (State.RECEIVED, State.RESOLVED)

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return bool(self.due_at and self.state in OPEN_STATES and self.due_at < timezone.now())


class HelpEvent(models.Model):
    """One append-only line of a request's history: a state change, an escalation or a note."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received")
        TRANSFERRED = "transferred", _("Transferred")
        STARTED = "started", _("Handling started")
        RESOLVED = "resolved", _("Resolved")
        FOLLOWED_UP = "followed_up", _("Followed up: satisfied")
        REOPENED = "reopened", _("Followed up: not satisfied, reopened")
        CLOSED = "closed", pgettext_lazy("help request state", "Closed")
        DUPLICATE = "duplicate", _("Marked as duplicate")
        NOT_FOR_US = "not_for_us", _("Not for us")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ESCALATED = "escalated", _("Escalated")
        NOTE = "note", _("Internal note")

    request = models.ForeignKey(
        HelpRequest,
        verbose_name=_("help request"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    from_state = models.CharField(_("from state"), max_length=32, choices=State.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=32, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("to organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to helper"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("reason or note"), blank=True, max_length=2000)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("help request event")
        verbose_name_plural = _("help request events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def save(self, *args, **kwargs):
        # Append-only: an existing event is never rewritten.
        if self.pk is not None:
            raise ValueError("help request events are append-only")
        super().save(*args, **kwargs)


class CategoryDeadline(models.Model):
    """Per-category deadlines, editable in the admin; categories without a row use defaults."""

    category = models.CharField(_("category"), max_length=32, choices=Category.choices, unique=True)
    transfer_minutes = models.PositiveIntegerField(_("transfer within (minutes)"), default=120)
    urgent_transfer_minutes = models.PositiveIntegerField(
        _("urgent: transfer within (minutes)"), default=15
    )
    feedback_working_days = models.PositiveSmallIntegerField(
        _("first feedback within (working days)"), default=2
    )
    resolve_working_days = models.PositiveSmallIntegerField(
        _("resolve within (working days)"), default=5
    )
    follow_up_working_days = models.PositiveSmallIntegerField(
        _("follow up within (working days)"), default=2
    )

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return str(self.get_category_display())
