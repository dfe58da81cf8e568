"""Border crossings (口岸) near Fangchenggang and the status notices staff post about them."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import CrossingQuerySet

# Vietnam (UTC+7) is one hour behind China (UTC+8), all year: neither side changes its clocks.
VIETNAM_BEHIND_HOURS = 1


class Crossing(models.Model):
    """One crossing: where it is, what it handles, when it is open on each side."""

    name = models.CharField(_("name"), max_length=200)
    name_pinyin = models.CharField(
        _("name in pinyin"),
        max_length=300,
        blank=True,
        help_text=_(
            "Hanyu Pinyin shown beside the Chinese name where a translation is missing. "
            "Filled from the Chinese name when left empty; edit it freely."
        ),
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    handles_people = models.BooleanField(_("people"), default=True)
    handles_freight = models.BooleanField(_("freight"), default=True)
    goods = models.CharField(
        _("goods"), max_length=300, blank=True, help_text=_("Which goods pass here.")
    )
    latitude = models.FloatField(_("latitude"), help_text=_("WGS-84, degrees north"))
    longitude = models.FloatField(_("longitude"), help_text=_("WGS-84, degrees east"))
    opens = models.TimeField(_("opens (China time)"), null=True, blank=True)
    closes = models.TimeField(_("closes (China time)"), null=True, blank=True)
    hours_note = models.CharField(_("note on hours"), max_length=200, blank=True)
    documents = models.TextField(_("documents a driver needs"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    published = models.BooleanField(_("published"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)

    objects = CrossingQuerySet.as_manager()

    class Meta:
        verbose_name = _("border crossing")
        verbose_name_plural = _("border crossings")
        ordering = ["sort_order", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="crossings_crossing_position_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from portal.lib.pinyin import fill_name_pinyin

        super().save(*args, **fill_name_pinyin(self, kwargs))

    def get_absolute_url(self) -> str:
        return reverse("crossings:detail", kwargs={"slug": self.slug})

    def hours_vietnam(self) -> tuple[time, time] | None:
        """The opening hours on Vietnam's clock (one hour behind), or None if not set."""
        if self.opens is None or self.closes is None:
            return None
        return vietnam_time(self.opens), vietnam_time(self.closes)

    @property
    def latest_notice(self):
        notices = getattr(self, "recent_notices", None)
        if notices is None:
            notices = list(self.notices.order_by("-posted_at", "-pk")[:1])
        return notices[0] if notices else None


def vietnam_time(china: time) -> time:
    """The same moment on Vietnam's clock: 00:30 in Dongxing is 23:30 in Móng Cái."""
    moment = datetime.combine(date(2000, 1, 2), china) - timedelta(hours=VIETNAM_BEHIND_HOURS)
    return moment.time()


class CrossingNotice(models.Model):
    """A timestamped status notice ("freight queue about 6 hours"), faded once it is old."""

    crossing = models.ForeignKey(
        Crossing, verbose_name=_("crossing"), on_delete=models.CASCADE, related_name="notices"
    )
    text = models.CharField(_("notice"), max_length=300)
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("crossing notice")
        verbose_name_plural = _("crossing notices")
        ordering = ["-posted_at", "-pk"]

    def __str__(self) -> str:
        return self.text

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or timezone.now()) - self.posted_at

    def is_stale(self, now: datetime | None = None) -> bool:
        """Older than ``CROSSING_NOTICE_STALE_MINUTES``: shown faded, marked as old."""
        limit = timedelta(minutes=settings.CROSSING_NOTICE_STALE_MINUTES)
        return self.age(now) > limit
