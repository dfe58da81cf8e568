"""The help-request vocabulary: categories, states and levels of the assistance chain.

Kept apart from the models so the querysets (``helpdesk.querysets``) can use the state lists
without importing the models that use them as managers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
