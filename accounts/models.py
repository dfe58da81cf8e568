"""Staff accounts and the organisations they work for."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import OrganisationQuerySet, StaffSessionQuerySet


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

    @property
    def display_name(self) -> str:
        """The person's full name as they would write it (family name first in Chinese),
        or the user name when no name is set."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
            return f"{last}{first}" or self.username
        return " ".join(part for part in (first, last) if part) or self.username


class StaffSession(models.Model):
    """One signed-in staff session, so its owner can see it and end it from elsewhere.

    Keeps only what the sessions page shows: a device label made from the browser's user
    agent and a coarse address (the network, never the full address).
    """

    user = models.ForeignKey(
        User, verbose_name=_("staff account"), on_delete=models.CASCADE, related_name="sessions"
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    device = models.CharField(_("device"), max_length=120, blank=True)
    address = models.CharField(_("address (coarse)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("signed in at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"))

    objects = StaffSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff session")
        verbose_name_plural = _("staff sessions")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.device}"


class SignInEvent(models.Model):
    """The sign-in log: who signed in or out, failed or reset a second factor, and when.

    Never holds a password, a code, a secret or a session key.
    """

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in with password")
        PASSWORD_FAILED = "password_failed", _("Wrong password")
        VERIFIED = "verified", _("Second factor verified")
        RECOVERY_CODE_USED = "recovery_code_used", _("Recovery code used")
        CODE_FAILED = "code_failed", _("Wrong second-factor code")
        LOCKED_OUT = "locked_out", _("Locked out")
        ENROLLED = "enrolled", _("Second factor set up")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("New recovery codes")
        RESET = "reset", _("Second factor reset by an administrator")
        SIGNED_OUT = "signed_out", _("Signed out")
        IDLE_TIMEOUT = "idle_timeout", _("Signed out after inactivity")
        ABSOLUTE_TIMEOUT = "absolute_timeout", _("Signed out: session too old")
        SESSION_ENDED = "session_ended", _("Session ended by its owner")
        SESSIONS_ENDED = "sessions_ended", _("All sessions ended")

    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    user = models.ForeignKey(
        User,
        verbose_name=_("staff account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sign_in_events",
    )
    # Kept when the account is deleted, and for failed sign-ins of unknown names.
    username = models.CharField(_("user name"), max_length=150, blank=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("address (coarse)"), max_length=64, blank=True)
    device = models.CharField(_("device"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in log")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.username} · {self.get_kind_display()}"
