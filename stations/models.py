from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class StationQuerySet(models.QuerySet):
    def published(self):
        """Stations drivers may see: published and not retired."""
        return self.filter(published=True).exclude(status=Station.Status.RETIRED)


class Station(models.Model):
    """A service point where drivers can stop (a "friendly scene")."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=False)
    latitude = models.FloatField(_("latitude"), help_text=_("WGS-84, degrees north"))
    longitude = models.FloatField(_("longitude"), help_text=_("WGS-84, degrees east"))
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.OPEN
    )
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="stations_station_latlng")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90),
                name="stations_station_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180),
                name="stations_station_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stations:detail", kwargs={"slug": self.slug})
