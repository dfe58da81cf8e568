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
    is_superuser,
)


class Category(models.TextChoices):
    BREAKDOWN = "breakdown", _("Vehicle breakdown or repair")
    RESCUE = "rescue", _("Emergency rescue")
    LEGAL = "legal", _("Legal advice")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    REST_RIGHTS = "rest_rights", _("Rest and leave rights")
    OTHER = "other", _("Other")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRANSFERRED = "transferred", _("Transferred")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    FOLLOWED_UP = "followed_up", _("Followed up")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", pgettext_lazy("help request state", "Closed")
    DUPLICATE = "duplicate", _("Duplicate")
    NOT_FOR_US = "not_for_us", _("Not for us")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States after which nothing more happens; old ones are purged (see purge_help_requests).
FINAL_STATES = ["closed", "duplicate", "not_for_us", "withdrawn"]

# States in which someone still has to act; the queue shows these.
OPEN_STATES = [
    State.RECEIVED,
    State.TRANSFERRED,
    State.IN_PROGRESS,
    State.RESOLVED,
    State.FOLLOWED_UP,
    State.REOPENED,
]


class Level(models.IntegerChoices):
    """The assistance chain 个人—党员—党支部—行业党委."""

    INDIVIDUAL = 0, _("Individual")
    MEMBER = 1, _("Party member")
    BRANCH = 2, _("Party branch")
    COMMITTEE = 3, _("Industry party committee")


class HelpRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The gatekeeper: the requests ``user`` may see and handle.

        Dispatchers (the desk that collects every request) and superusers see all. A help
        handler sees the requests held by an organisation they cover (their organisations
        and every sub-organisation); the helper a request was transferred to by name sees
        that request while they hold it. Every other account, whatever its organisations
        (organizers, station managers, member-records officers), sees none.
        """
        if not is_active_staff(user):
            return self.none()
        if is_superuser(user) or is_dispatcher(user):
            return self
        held = Q(holder_user=user)
        if is_help_handler(user):
            held |= Q(holder_organisation_id__in=covered_organisation_ids(user))
        return self.filter(held)

    def open(self):
        return self.filter(state__in=OPEN_STATES)

    def queue_order(self):
        """Urgent first, then the nearest deadline (none last), then the oldest."""
        return self.order_by("-urgent", models.F("due_at").asc(nulls_last=True), "created_at")


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
        return f"{self.request_id} {self.kind}"

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
