"""The notice outbox, the staff work-chat groups, staff notice preferences and SMS opt-outs.

A ``Notice`` row is one message to one destination (an e-mail address, a group robot, a
phone), written in the same transaction as the change that causes it and sent afterwards by
``manage.py send_notices`` (see ``notices.outbox``). Its text is rendered when it is queued,
in the recipient's language; the worker only delivers.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.phones import mask


class GroupWebhook(models.Model):
    """A work-chat group robot (WeCom, DingTalk, Feishu) of an organisation or the desk."""

    class Provider(models.TextChoices):
        WECOM = "wecom", _("WeCom (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk (钉钉)")
        FEISHU = "feishu", _("Feishu (飞书)")

    class Format(models.TextChoices):
        TEXT = "text", _("Plain text")
        MARKDOWN = "markdown", _("Markdown (WeCom and DingTalk)")

    name = models.CharField(_("name"), max_length=100)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="group_webhooks",
        help_text=_("Leave empty for the dispatch desk's group."),
    )
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    url = models.URLField(
        _("webhook address"),
        max_length=500,
        help_text=_("The robot's address as the chat app shows it, with its key or token."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk: the robot's signing secret (SEC…). Feishu: optional."),
    )
    format = models.CharField(
        _("message format"), max_length=16, choices=Format.choices, default=Format.MARKDOWN
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    quiet_start = models.TimeField(
        _("quiet hours from"),
        null=True,
        blank=True,
        help_text=_("Messages wait until the quiet hours end, except urgent requests."),
    )
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("work-chat group")
        verbose_name_plural = _("work-chat groups")
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return self.name

    def quiet_until(self, now: datetime) -> datetime | None:
        """Return when the quiet hours around ``now`` end, or None outside them.

        Times are local (``settings.TIME_ZONE``); a start after the end spans midnight.
        """
        start, end = self.quiet_start, self.quiet_end
        if start is None or end is None or start == end:
            return None
        local = timezone.localtime(now)
        at = local.time()

        def end_on(day_offset: int) -> datetime:
            day = local.date() + timedelta(days=day_offset)
            return timezone.make_aware(datetime.combine(day, end))

        if start < end:
            return end_on(0) if start <= at < end else None
        if at >= start:
            return end_on(1)
        if at < end:
            return end_on(0)
        return None


class NoticeQuerySet(models.QuerySet):
    def due(self, now: datetime) -> "NoticeQuerySet":
        """Rows a worker may claim: pending and due, or claimed by a worker whose lease ran out."""
        return self.filter(
            models.Q(state=Notice.State.PENDING, next_attempt_at__lte=now)
            | models.Q(state=Notice.State.SENDING, lease_until__lt=now)
        )


class Notice(models.Model):
    """One message to one destination, in the outbox until a worker has delivered it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        GROUP = "group", _("Work-chat group")
        SMS = "sms", _("Text message")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    kind = models.CharField(
        _("kind"), max_length=32, help_text=_("What happened: received, transferred, …")
    )
    # What the notice is about ("helpdesk.helprequest:12"): for the admin and the SMS limit.
    topic = models.CharField(_("about"), max_length=64, db_index=True)
    group = models.ForeignKey(
        GroupWebhook,
        verbose_name=_("work-chat group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notices",
    )
    to = models.CharField(_("to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    # Template variables for SMS providers that send only approved templates.
    params = models.JSONField(_("template variables"), default=dict, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    # Set when the same notice must never be queued twice (an overdue alert per deadline).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notices_notice_due")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel="group") | models.Q(group__isnull=False),
                name="notices_notice_group_has_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.kind} {self.topic}"

    @property
    def masked_to(self) -> str:
        return mask(self.to) if self.channel == self.Channel.SMS else self.to


class NoticePreference(models.Model):
    """How a staff account wants the notices meant for them, and in which language."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        GROUP = "group", _("Work-chat group only")
        BOTH = "both", _("E-mail and work-chat group")
        NONE = "none", _("None")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        on_delete=models.CASCADE,
        related_name="notice_preference",
    )
    channel = models.CharField(
        _("notices by"), max_length=8, choices=Channel.choices, default=Channel.BOTH
    )
    language = models.CharField(
        _("language of notices"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def wants_email(self) -> bool:
        return self.channel in (self.Channel.EMAIL, self.Channel.BOTH)

    @property
    def wants_group(self) -> bool:
        return self.channel in (self.Channel.GROUP, self.Channel.BOTH)


class SmsOptOut(models.Model):
    """A phone that replied "TD" (退订): no text message is queued or sent to it again."""

    phone = models.CharField(_("phone"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("text-message opt-out")
        verbose_name_plural = _("text-message opt-outs")

    def __str__(self) -> str:
        return mask(self.phone)
