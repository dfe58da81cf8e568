import json
import math
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .querysets import (
    LatitudeBand,
    StationCorrectionQuerySet,
    StationGridCellQuerySet,
    StationQuerySet,
)


class ParkingLevel(models.TextChoices):
    PLENTY = "plenty", _("Plenty of spaces")
    FEW = "few", _("A few spaces")
    FULL = "full", _("Full")


class ReportSource(models.TextChoices):
    STATION = "station", _("the station")
    DRIVERS = "drivers", _("drivers")


class Station(models.Model):
    """A service point where drivers can stop (a "friendly scene")."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
        RETIRED = "retired", _("Retired")

    class Kind(models.TextChoices):
        DRIVER_HOME = "driver_home", _("Driver Home")
        PARTY_MASS_CENTRE = "party_mass_centre", _("Party–mass service centre")
        TRADE_UNION = "trade_union", _("Trade-union station")
        WARM_NEW = "warm_new", _("“Warm-new” station")
        GAS_STATION = "gas_station", _("Gas station")
        CARGO_YARD = "cargo_yard", _("Port cargo yard")
        PORT_PARKING = "port_parking", _("Dock or port parking lot")
        OTHER = "other", _("Other")

    class Route(models.TextChoices):
        G228 = "G228", _("G228 coastal highway")
        G219 = "G219", _("G219 border highway")
        OTHER = "other", _("Other road")

    class District(models.TextChoices):
        GANGKOU = "gangkou", _("Gangkou District")
        FANGCHENG = "fangcheng", _("Fangcheng District")
        DONGXING = "dongxing", _("Dongxing City")
        SHANGSI = "shangsi", _("Shangsi County")

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
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    host_organisation = models.CharField(_("host organisation"), max_length=200, blank=True)
    route = models.CharField(_("route"), max_length=16, choices=Route.choices, default=Route.OTHER)
    location_note = models.CharField(
        _("location note"),
        max_length=200,
        blank=True,
        help_text=_("For example: 4.5 km east of Dongxing on G228."),
    )
    district = models.CharField(
        _("district"), max_length=16, choices=District.choices, default=District.GANGKOU
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), help_text=_("WGS-84, degrees north"))
    longitude = models.FloatField(_("longitude"), help_text=_("WGS-84, degrees east"))
    phone = models.CharField(
        _("phone"), max_length=32, blank=True, help_text=_("Digits only, e.g. 07702800001.")
    )
    open_24h = models.BooleanField(_("open 24 hours"), default=False)
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.OPEN
    )
    closure_reason = models.CharField(
        _("reason for closure"),
        max_length=300,
        blank=True,
        help_text=_("Shown to drivers while the station is temporarily closed."),
    )
    published = models.BooleanField(_("published"), default=False)
    truck_parking_spaces = models.PositiveIntegerField(
        _("truck parking spaces"), null=True, blank=True
    )
    max_vehicle_length_m = models.DecimalField(
        _("maximum vehicle length (m)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    max_vehicle_height_m = models.DecimalField(
        _("maximum vehicle height (m)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    has_lighting = models.BooleanField(_("lit at night"), default=False)
    has_cctv = models.BooleanField(_("CCTV"), default=False)
    guarded_lot = models.BooleanField(_("guarded lot"), default=False)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    reopens_at = models.DateTimeField(
        _("expected reopening"),
        null=True,
        blank=True,
        help_text=_("While temporarily closed: when the station expects to open again."),
    )
    # Truck parking right now: the newest report, from the station or from drivers
    # (see stations/parking.py for its age and when it fades to "unknown").
    parking_level = models.CharField(
        _("truck parking now"), max_length=16, choices=ParkingLevel.choices, blank=True
    )
    parking_free = models.PositiveIntegerField(_("free truck spaces"), null=True, blank=True)
    parking_source = models.CharField(
        _("parking reported by"), max_length=16, choices=ReportSource.choices, blank=True
    )
    parking_reported_at = models.DateTimeField(_("parking reported at"), null=True, blank=True)
    # Who handles help requests sent from this station's page (one of the two, or neither).
    helper_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("helper (a help handler)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helped_stations",
        help_text=_("A staff account with the help-handler role."),
    )
    helper_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("helper (an organisation)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helped_stations",
    )
    helper_team = models.CharField(
        _("helper's public name"),
        max_length=100,
        blank=True,
        help_text=_(
            "Shown on the station page, e.g. “the Qisha station team”. Never a person's name."
        ),
    )
    # The party-member vanguard post (党员先锋岗): a duty number entered for the post.
    vanguard_post = models.BooleanField(_("party-member vanguard post"), default=False)
    vanguard_hours = models.CharField(_("vanguard post duty hours"), max_length=100, blank=True)
    vanguard_phone = models.CharField(
        _("vanguard post duty phone"),
        max_length=32,
        blank=True,
        help_text=_("The post's work number, never a member's own phone."),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("station managers"),
        blank=True,
        related_name="managed_stations",
        help_text=_("Station managers who keep this station current."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StationQuerySet.as_manager()

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="stations_station_latlng"),
            # Nearby's box by latitude bands, answered from the index alone (LatitudeBand).
            models.Index(
                LatitudeBand("latitude"),
                "longitude",
                "latitude",
                "published",
                "status",
                name="stations_station_band",
            ),
            # The list is ordered by name: the index spares sorting every station.
            models.Index(fields=["name"], name="stations_station_name"),
            # Counting what drivers may see reads this small index, not every row.
            models.Index(fields=["published", "status"], name="stations_station_visible"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90),
                name="stations_station_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180),
                name="stations_station_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(truck_parking_spaces__lte=10_000),
                name="stations_station_parking_range",
            ),
            models.CheckConstraint(
                condition=models.Q(parking_free__lte=10_000),
                name="stations_station_parking_free_range",
            ),
            models.CheckConstraint(
                condition=models.Q(helper_user__isnull=True)
                | models.Q(helper_organisation__isnull=True),
                name="stations_station_one_helper",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from portal.lib.pinyin import fill_name_pinyin

        super().save(*args, **fill_name_pinyin(self, kwargs))

    def get_absolute_url(self) -> str:
        return reverse("stations:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        errors = {}
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = _("Latitude must be between -90 and 90.")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = _("Longitude must be between -180 and 180.")
        for field in ("latitude", "longitude"):
            value = getattr(self, field)
            if value is not None and not math.isfinite(value):
                errors[field] = _("Enter a number.")
        from portal.lib.phones import normalize_landline

        for field in ("phone", "vanguard_phone"):
            if getattr(self, field):
                try:
                    setattr(self, field, normalize_landline(getattr(self, field)))
                except ValidationError as exc:
                    errors[field] = exc.messages
        if self.helper_user_id and self.helper_organisation_id:
            errors["helper_organisation"] = _("Name a helper or an organisation, not both.")
        if errors:
            raise ValidationError(errors)

    # Reads below use prefetched opening hours when they are there (station lists do).

    def is_open_at(self, moment: datetime) -> bool:
        """Tell whether the station is open at ``moment`` (local time of TIME_ZONE)."""
        if self.status != self.Status.OPEN:
            return False
        if self.open_24h:
            return True
        local = timezone.localtime(moment)
        weekday, now = local.weekday(), local.time()
        previous = (weekday - 1) % 7
        for period in self.opening_hours.all():
            if period.contains(weekday, previous, now):
                return True
        return False

    @property
    def open_now(self) -> bool:
        return self.is_open_at(timezone.now())

    def next_opening_after(self, moment: datetime) -> datetime | None:
        """Return when the station next opens after ``moment`` (local time), or None.

        None when it is open at ``moment``, open 24 hours, temporarily closed (no date is
        known) or has no opening hours. Uses prefetched hours when they are there.
        """
        if self.status != self.Status.OPEN or self.open_24h or self.is_open_at(moment):
            return None
        local = timezone.localtime(moment)
        periods = list(self.opening_hours.all())
        # A week and a day ahead covers a weekly schedule whatever the starting hour.
        for offset in range(8):
            day = local + timedelta(days=offset)
            starts = [
                local.replace(hour=p.opens.hour, minute=p.opens.minute, second=0, microsecond=0)
                + timedelta(days=offset)
                for p in sorted(periods, key=lambda period: period.opens)
                if p.weekday == day.weekday()
            ]
            # Normalise after adding days so a change of UTC offset keeps the wall time.
            later = [timezone.localtime(start) for start in starts if start > local]
            if later:
                return later[0]
        return None

    def next_opening_label(self, moment: datetime) -> str:
        """Say when a closed station opens next: "opens 06:00", "opens Mon 08:00", or "".

        The time alone within the next 24 hours (it can only mean the coming one), the
        weekday and the time further ahead.
        """
        opening = self.next_opening_after(moment)
        if opening is None:
            return ""
        clock = f"{opening:%H:%M}"
        if opening - moment < timedelta(hours=24):
            return _("opens %(time)s") % {"time": clock}
        return _("opens %(day)s %(time)s") % {
            "day": WEEKDAYS_ABBR[opening.weekday()],
            "time": clock,
        }

    @property
    def tel(self) -> str:
        """The phone as a tel: target: digits and a leading + only."""
        from portal.lib.phones import tel_uri

        return tel_uri(self.phone)

    @property
    def vanguard_tel(self) -> str:
        from portal.lib.phones import tel_uri

        return tel_uri(self.vanguard_phone)

    @property
    def has_helper(self) -> bool:
        return bool(self.helper_user_id or self.helper_organisation_id)

    @property
    def helper_public_name(self) -> str:
        """Who handles help requests sent from here, as drivers may read it: a team's
        name, never a person's (no query when ``helper_team`` is set)."""
        if not self.has_helper:
            return ""
        if self.helper_team:
            return self.helper_team
        if self.helper_organisation_id is not None and self.helper_organisation is not None:
            return self.helper_organisation.name
        return str(_("this station's team"))


class Amenity(models.Model):
    """Something a station offers (showers, hot water...), kept as data with three names."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh_hans = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100)
    icon = models.CharField(_("symbol"), max_length=8, blank=True)
    key = models.BooleanField(
        _("key amenity"), default=False, help_text=_("Shown in map popups and home shortcuts.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (Chinese when the language has none)."""
        language = (get_language() or "zh-hans").replace("-", "_").lower()
        if language.startswith("en"):
            return self.name_en or self.name_zh_hans
        if language.startswith("vi"):
            return self.name_vi or self.name_zh_hans
        return self.name_zh_hans


class StationAmenity(models.Model):
    """One amenity at one station: free or paid, and its live status."""

    class LiveStatus(models.TextChoices):
        AVAILABLE = "available", _("Available")
        LIMITED = "limited", _("Limited")
        OUT_OF_ORDER = "out_of_order", _("Out of order")

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="amenities"
    )
    amenity = models.ForeignKey(
        Amenity, verbose_name=_("amenity"), on_delete=models.PROTECT, related_name="+"
    )
    is_free = models.BooleanField(_("free"), default=True)
    price_note = models.CharField(_("price"), max_length=100, blank=True)
    live_status = models.CharField(
        _("live status"), max_length=16, choices=LiveStatus.choices, default=LiveStatus.AVAILABLE
    )
    status_note = models.CharField(
        _("status note"),
        max_length=200,
        blank=True,
        help_text=_("For example: hot water out of order until Friday."),
    )
    status_until = models.DateTimeField(
        _("expected back"),
        null=True,
        blank=True,
        help_text=_("When a limited or out-of-order amenity is expected to work again."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("station amenity")
        verbose_name_plural = _("station amenities")
        ordering = ["amenity__sort_order", "amenity__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "amenity"], name="stations_stationamenity_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.amenity}"


class OpeningHours(models.Model):
    """One opening period on one weekday; a period may run past midnight."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(
        _("closes"), help_text=_("Earlier than the opening time means after midnight.")
    )

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="stations_openinghours_weekday_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(opens=models.F("closes")),
                name="stations_openinghours_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def overnight(self) -> bool:
        return self.closes < self.opens

    def contains(self, weekday: int, previous: int, now: time) -> bool:
        """Tell whether local ``now`` on ``weekday`` falls in this period."""
        if self.weekday == weekday:
            if self.overnight:
                return now >= self.opens
            return self.opens <= now < self.closes
        return self.weekday == previous and self.overnight and now < self.closes


def photo_path(instance, filename):
    return f"stations/{instance.station_id}/{filename}"


class StationPhoto(models.Model):
    """A photo of a station, stored as two re-encoded renditions without metadata."""

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="photos"
    )
    small = models.ImageField(_("small image"), upload_to=photo_path, editable=False)
    large = models.ImageField(_("large image"), upload_to=photo_path, editable=False)
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.caption or str(_("Photo"))


def validate_line_string(value):
    """Refuse anything but a GeoJSON LineString of [lon, lat] pairs in range."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationError(_("Enter valid GeoJSON."), code="invalid") from None
    if not isinstance(value, dict) or value.get("type") != "LineString":
        raise ValidationError(_("The geometry must be a GeoJSON LineString."), code="invalid")
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        raise ValidationError(_("A line needs at least two positions."), code="invalid")
    for position in coordinates:
        if (
            not isinstance(position, list)
            or len(position) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
        ):
            raise ValidationError(_("Each position must be [longitude, latitude]."), code="invalid")
        lng, lat = position[0], position[1]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValidationError(
                _("Position %(position)s is out of range: GeoJSON puts longitude first."),
                code="invalid",
                params={"position": position},
            )


class RouteLine(models.Model):
    """A highway drawn on the map (G228, G219 near Fangchenggang)."""

    # Any road an administrator draws: the two highways of the station list (G228, G219)
    # and others by their number on the signs (S325, X101...).
    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]{0,15}$",
                _("A road number as on the signs, in capitals: G228, S325, X101."),
            )
        ],
        help_text=_("The road number as on the signs: G228, G219, S325..."),
    )
    geometry = models.JSONField(
        _("geometry"),
        validators=[validate_line_string],
        help_text=_('GeoJSON LineString, longitude first: {"type": "LineString", ...}'),
    )
    colour = models.CharField(_("colour"), max_length=7, default="#0b5cad")
    # The two ends as drivers name a direction ("towards Dongxing"): the line's first
    # position is its start, its last its end.
    start_name_zh_hans = models.CharField(_("start (Chinese)"), max_length=60, blank=True)
    start_name_en = models.CharField(_("start (English)"), max_length=60, blank=True)
    start_name_vi = models.CharField(_("start (Vietnamese)"), max_length=60, blank=True)
    end_name_zh_hans = models.CharField(_("end (Chinese)"), max_length=60, blank=True)
    end_name_en = models.CharField(_("end (English)"), max_length=60, blank=True)
    end_name_vi = models.CharField(_("end (Vietnamese)"), max_length=60, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("route line")
        verbose_name_plural = _("route lines")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The road's name: the station list's label for G228 and G219, else its number."""
        return str(dict(Station.Route.choices).get(self.code, self.code))

    def end_name(self, end: str) -> str:
        """The name of one end ("start" or "end") in the active language, Chinese by default."""
        language = (get_language() or "zh-hans").lower()
        suffix = "en" if language.startswith("en") else "vi" if language.startswith("vi") else ""
        chinese = getattr(self, f"{end}_name_zh_hans")
        return (
            (getattr(self, f"{end}_name_{suffix}") if suffix else "")
            or chinese
            or str(_("the line's start") if end == "start" else _("the line's end"))
        )


class StationRoutePosition(models.Model):
    """Where a station lies along a route line: kept by ``stations.road.services``.

    Only stations within ``ROUTE_MAX_OFFSET_M`` of the line have a row.
    """

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="route_positions"
    )
    route = models.ForeignKey(
        RouteLine, verbose_name=_("route line"), on_delete=models.CASCADE, related_name="positions"
    )
    along_m = models.FloatField(_("distance along the line (m)"))
    offset_m = models.FloatField(_("distance from the line (m)"))

    class Meta:
        verbose_name = _("position on a route")
        verbose_name_plural = _("positions on routes")
        ordering = ["route", "along_m"]
        indexes = [
            # Stations ahead: one route, a range of distances, in road order.
            models.Index(fields=["route", "along_m"], name="stations_routepos_along"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["station", "route"], name="stations_routepos_unique"),
            models.CheckConstraint(
                condition=models.Q(along_m__gte=0, offset_m__gte=0),
                name="stations_routepos_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.route.code}, km {self.along_m / 1000:.1f}"


class ParkingReport(models.Model):
    """One report of truck parking at a station, by its staff or by a driver.

    A driver's report keeps nothing about the driver: no address, no account, no agent.
    """

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="parking_reports"
    )
    source = models.CharField(_("reported by"), max_length=16, choices=ReportSource.choices)
    level = models.CharField(_("parking"), max_length=16, choices=ParkingLevel.choices)
    free_spaces = models.PositiveIntegerField(_("free spaces"), null=True, blank=True)
    # One per rendering of the drivers' form: a double tap stores one report.
    form_token = models.CharField(max_length=64, unique=True, null=True, editable=False)
    created_at = models.DateTimeField(_("reported at"), db_index=True)

    class Meta:
        verbose_name = _("parking report")
        verbose_name_plural = _("parking reports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.station} · {self.get_level_display()}"


class StationChange(models.Model):
    """One recorded change of a station's live status: who, when, what (append-only)."""

    class Kind(models.TextChoices):
        AMENITY = "amenity", _("Amenity status")
        PARKING = "parking", _("Parking")
        CLOSED = "closed", _("Temporarily closed")
        REOPENED = "reopened", _("Reopened")
        CHECKED = "checked", _("Checked")
        CORRECTION = "correction", _("Driver's correction")

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.CharField(_("what"), max_length=400)
    created_at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        verbose_name = _("station change")
        verbose_name_plural = _("station history")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.station} · {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        # Append-only: the history is never rewritten.
        if self.pk is not None:
            raise ValueError("station changes are append-only")
        super().save(*args, **kwargs)


class StationCorrection(models.Model):
    """A driver's "something wrong here?": a short report without an account, queued for
    the station's managers and the admins (accept, or dismiss with a reason)."""

    class Kind(models.TextChoices):
        HOURS = "hours", _("Opening hours are wrong")
        CLOSED_FOR_GOOD = "closed_for_good", _("Closed for good")
        PHONE = "phone", _("Phone number is wrong")
        AMENITY_MISSING = "amenity_missing", _("An amenity is missing")
        AMENITY_OUT = "amenity_out", _("An amenity is out of order")
        POSITION = "position", _("Position on the map is wrong")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DISMISSED = "dismissed", _("Dismissed")

    station = models.ForeignKey(
        Station, verbose_name=_("station"), on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(_("what is wrong"), max_length=32, choices=Kind.choices)
    amenity = models.ForeignKey(
        Amenity,
        verbose_name=_("amenity"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.CharField(_("details"), max_length=500, blank=True)
    phone = models.CharField(_("right phone number"), max_length=32, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    reason = models.CharField(_("reason for dismissal"), max_length=300, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    # One per rendering of the drivers' form: a double tap stores one correction.
    form_token = models.CharField(max_length=64, unique=True, null=True, editable=False)
    created_at = models.DateTimeField(_("sent at"), db_index=True)

    objects = StationCorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("driver's correction")
        verbose_name_plural = _("drivers' corrections")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["station", "state"], name="stations_correction_open")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="stations_stationcorrection_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="stations_stationcorrection_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.get_kind_display()}"


class GridSums(models.Model):
    """A cell of the map's grid at one zoom and what it adds up: the count of stations
    drivers may see and the sums of their latitudes, longitudes and ids (the cells, and
    PostgreSQL's log of changes to them, share these columns)."""

    level = models.PositiveSmallIntegerField(_("zoom"))
    cx = models.IntegerField(_("column"))
    cy = models.IntegerField(_("row"))
    count = models.IntegerField(_("stations"))
    sum_lat = models.FloatField(_("sum of latitudes"))
    sum_lng = models.FloatField(_("sum of longitudes"))
    sum_id = models.BigIntegerField(_("sum of station ids"))

    class Meta:
        abstract = True


class StationGridCell(GridSums):
    """How many stations drivers may see lie in one cell of the map's grid, and the sums of
    their coordinates and ids: the zoomed-out map reads these cells instead of the stations.

    One row per non-empty cell at every zoom below the feed's ``SINGLES_ZOOM`` (0 to 15),
    ``cx``/``cy`` being the cell's column and row exactly as the feed's ``CellIndex``
    computes them. Nobody writes it but the database: triggers on ``stations_station``
    (migration 0007) add and take away a station on every insert, update and delete,
    whichever path wrote it (a save, ``update()``, ``bulk_create``, an import, raw SQL),
    and delete a cell when its count drops to 0 (on PostgreSQL through a change log the
    feed folds in: ``StationGridChange``). A cell's ``sum_id`` is its station's id when it
    holds one, so a single station is found by id without reading the others.
    """

    objects = StationGridCellQuerySet.as_manager()

    class Meta:
        verbose_name = _("map grid cell")
        verbose_name_plural = _("map grid cells")
        # Written by triggers only: no add, change or delete permission to hand out.
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["level", "cy", "cx"], name="stations_stationgridcell_cell"
            ),
        ]
        indexes = [
            # Holds only cells a trigger just emptied (none between statements): the
            # triggers find and delete them without reading the table.
            models.Index(
                fields=["count"],
                condition=models.Q(count__lte=0),
                name="stations_grid_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level}/{self.cx}/{self.cy}: {self.count}"


class StationGridChange(GridSums):
    """A change to the map's grid counts not yet folded into ``StationGridCell``
    (PostgreSQL only; SQLite's triggers update the cells directly).

    PostgreSQL's statement triggers on ``stations_station`` append here (migration 0007):
    updating the same coarse cells on every one-row write of a long transaction grew with
    the square of the writes, appending does not. The feed folds the log into the cells
    before it reads them (``StationGridCell.objects.fold_changes``).
    """

    class Meta:
        verbose_name = _("map grid change")
        verbose_name_plural = _("map grid changes")
        # Written by triggers only: no add, change or delete permission to hand out.
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.level}/{self.cx}/{self.cy}: {self.count:+d}"
