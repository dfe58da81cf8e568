import json

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import XLSX
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from accounts.roles import HELP_HANDLERS, STATION_MANAGERS
from portal.lib.admin import NotStored, NotStoredAdminMixin
from portal.lib.images import process_image
from portal.lib.importexport import LabelledExportForm

from . import geo, services
from .models import (
    Amenity,
    OpeningHours,
    RouteLine,
    Station,
    StationAmenity,
    StationChange,
    StationCorrection,
    StationPhoto,
)
from .resources import UNREADABLE, ExcelCSV, StationResource
from .road.services import route_line_positions_rebuild, station_route_positions_update
from .slugs import slug_unique


class StationAmenityInline(TranslationTabularInline):
    model = StationAmenity
    extra = 0
    fields = ["amenity", "is_free", "price_note", "live_status", "status_note", "status_until"]


class StationChangeInline(admin.TabularInline):
    """The station's history (who, when, what), read-only: written by the services only."""

    model = StationChange
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["created_at", "kind", "summary", "actor"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    verbose_name_plural = _("history")

    def has_add_permission(self, request, obj=None):
        return False


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class StationPhotoForm(forms.ModelForm):
    """Upload a photo: checked by content, re-encoded into two sizes without metadata."""

    image = forms.FileField(
        label=_("Image"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Location and camera data are removed."),
    )

    class Meta:
        model = StationPhoto
        fields = ["caption", "sort_order"]

    def clean(self):
        data = super().clean()
        upload = data.get("image")
        if upload:
            try:
                self.processed = process_image(upload)
            except ValidationError as exc:
                self.add_error("image", exc)
        elif not self.instance.pk:
            # An empty extra form stays empty; a caption without an image is an error.
            if self.has_changed():
                self.add_error("image", _("Choose an image."))
        return data

    def save(self, commit=True):
        instance = super().save(commit=False)
        if commit:
            self.save_photo(instance)
        return instance

    def save_photo(self, instance):
        try:
            services.station_photo_save(photo=instance, image=getattr(self, "processed", None))
        except ValidationError as exc:
            # A full disk: the admin rolls everything back and shows the form again.
            raise NotStored(exc) from None
        return instance


class StationPhotoInline(admin.TabularInline):
    model = StationPhoto
    form = StationPhotoForm
    extra = 1
    fields = ["preview", "image", "caption", "sort_order"]
    readonly_fields = ["preview"]

    @admin.display(description=_("Preview"))
    def preview(self, photo):
        from django.utils.html import format_html

        if photo.pk and photo.small:
            return format_html('<img src="{}" alt="" width="120">', photo.small.url)
        return ""


class StationForm(forms.ModelForm):
    """The station form: the address (slug) is made from the name's pinyin when left empty."""

    class Meta:
        model = Station
        # The admin's fieldsets give the full list; these two are what the form relies on.
        fields = ["name", "slug"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _(
                "The station's web address. Left empty, it is made from the name's pinyin "
                "(东兴口岸司机之家 → dong-xing-kou-an-si-ji-zhi-jia); you may change it."
            )

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        # The Chinese name (django-modeltranslation's column): the pinyin is made from it.
        name = self.cleaned_data.get("name_zh_hans") or self.cleaned_data.get("name") or ""
        if slug or not name:
            return slug
        others = Station.objects.exclude(pk=self.instance.pk)
        return slug_unique(name, taken=lambda s: others.filter(slug=s).exists())


@admin.register(Station)
class StationAdmin(NotStoredAdminMixin, TranslationAdmin, ImportExportModelAdmin):
    """Every language of the station's texts in one form: Chinese required, the others
    optional (django-modeltranslation expands ``name`` into ``name_zh_hans``, ``name_en``…)."""

    form = StationForm
    resource_classes = [StationResource]
    # An Excel workbook first (what the form preselects); CSV with a BOM and Excel's
    # encodings (stations/resources.py).
    import_formats = [XLSX, ExcelCSV]
    export_formats = [XLSX, ExcelCSV]
    export_form_class = LabelledExportForm
    change_form_template = "admin/stations/station/change_form.html"
    list_display = [
        "name",
        "kind",
        "route",
        "district",
        "status",
        "published",
        "last_verified",
        "open_corrections",
        "updated_at",
    ]
    list_filter = ["status", "published", "kind", "route", "district", "open_24h", "is_demo"]
    search_fields = [
        "name_zh_hans",
        "name_en",
        "name_vi",
        "name_pinyin",
        "slug",
        "address_zh_hans",
        "host_organisation",
        "location_note_zh_hans",
    ]
    filter_horizontal = ["managers"]
    inlines = [StationAmenityInline, OpeningHoursInline, StationPhotoInline, StationChangeInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "name_pinyin",
                    "slug",
                    "kind",
                    "host_organisation",
                    "status",
                    "closure_reason",
                    "reopens_at",
                    "published",
                ]
            },
        ),
        (
            _("Location"),
            {
                "fields": [
                    "route",
                    "location_note",
                    "district",
                    "address",
                    "latitude",
                    "longitude",
                ],
                "description": _(
                    "Click the map or drag the marker to set the position; typing the "
                    "coordinates moves the marker. Stored as WGS-84."
                ),
            },
        ),
        (_("Contact and hours"), {"fields": ["phone", "open_24h", "last_verified"]}),
        (
            _("For trucks"),
            {
                "fields": [
                    "truck_parking_spaces",
                    "max_vehicle_length_m",
                    "max_vehicle_height_m",
                    "has_lighting",
                    "has_cctv",
                    "guarded_lot",
                ]
            },
        ),
        (
            _("Truck parking now"),
            {
                "fields": [
                    "parking_level",
                    "parking_free",
                    "parking_source",
                    "parking_reported_at",
                ],
                "description": _("Set from the station manager's console or by drivers' reports."),
            },
        ),
        (
            _("Help from this station"),
            {
                "fields": ["helper_user", "helper_organisation", "helper_team"],
                "description": _(
                    "Help requests sent from this station's page go at once to this helper "
                    "(a help handler) or organisation. Drivers read only the public name."
                ),
            },
        ),
        (
            _("Party-member vanguard post"),
            {"fields": ["vanguard_post", "vanguard_hours", "vanguard_phone"]},
        ),
        (_("Station managers"), {"fields": ["managers"]}),
    ]

    # Written by the services (console, drivers' reports), never typed here.
    live_fields = ["parking_level", "parking_free", "parking_source", "parking_reported_at"]

    def get_queryset(self, request):
        return Station.objects.editable_by(request.user).annotate(
            open_corrections_count=Count(
                "corrections", filter=Q(corrections__state=StationCorrection.State.OPEN)
            )
        )

    @admin.display(description=_("open corrections"), ordering="open_corrections_count")
    def open_corrections(self, station):
        return getattr(station, "open_corrections_count", 0)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"latitude", "longitude"} & set(form.changed_data):
            station_route_positions_update(station=obj)

    def get_readonly_fields(self, request, obj=None):
        # Only administrators choose who manages a station and who handles its help.
        if request.user.is_superuser or request.user.has_perm("stations.add_station"):
            return self.live_fields
        return [*self.live_fields, "managers", "helper_user", "helper_organisation"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "helper_user":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(
                groups__name=HELP_HANDLERS, is_active=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "managers":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(
                groups__name=STATION_MANAGERS, is_active=True
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def add_data_read_fail_error_to_form(self, form, e):
        """Say in the person's language that the file cannot be read, and what to do."""
        form.add_error("import_file", UNREADABLE)

    def has_import_permission(self, request):
        return request.user.has_perm("stations.add_station")

    def has_export_permission(self, request):
        return request.user.has_perm("stations.view_station")

    def get_urls(self):
        return [
            path(
                "convert/",
                self.admin_site.admin_view(self.convert_view),
                name="stations_station_convert",
            ),
            *super().get_urls(),
        ]

    def convert_view(self, request):
        """Convert a point between WGS-84 and the tiles' system for the location picker."""
        try:
            lat = float(request.GET["lat"])
            lng = float(request.GET["lng"])
        except (KeyError, ValueError):
            return HttpResponseBadRequest("lat and lng must be numbers")
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            return HttpResponseBadRequest("out of range")
        if request.GET.get("to") == "wgs84":
            lat, lng = geo.gcj02_to_wgs84(lat, lng)
        else:
            lat, lng = geo.wgs84_to_gcj02(lat, lng)
        return JsonResponse({"lat": round(lat, 7), "lng": round(lng, 7)})

    def render_change_form(self, request, context, *args, **kwargs):
        context["picker"] = json.dumps({"crs": settings.MAP_TILES_CRS})
        context["tiles_crs"] = settings.MAP_TILES_CRS
        return super().render_change_form(request, context, *args, **kwargs)


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh_hans", "name_en", "name_vi", "key", "sort_order"]
    list_editable = ["key", "sort_order"]
    search_fields = ["code", "name_zh_hans", "name_en", "name_vi"]


class RouteLineForm(forms.ModelForm):
    class Meta:
        model = RouteLine
        fields = [
            "code",
            "colour",
            "geometry",
            "start_name_zh_hans",
            "start_name_en",
            "start_name_vi",
            "end_name_zh_hans",
            "end_name_en",
            "end_name_vi",
        ]
        widgets = {"geometry": forms.Textarea(attrs={"rows": 8})}


@admin.register(RouteLine)
class RouteLineAdmin(admin.ModelAdmin):
    form = RouteLineForm
    list_display = ["code", "colour", "updated_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Every station's place along the line follows the new geometry.
        route_line_positions_rebuild(route=obj)


@admin.register(StationCorrection)
class StationCorrectionAdmin(admin.ModelAdmin):
    """Drivers' corrections, read-only; handled (accept, dismiss with a reason) in the
    station manager's console, which superusers reach for every station."""

    list_display = ["station", "kind", "amenity", "state", "created_at", "console_link"]
    list_filter = ["state", "kind"]
    search_fields = ["station__name", "text"]
    readonly_fields = [
        "station",
        "kind",
        "amenity",
        "text",
        "phone",
        "latitude",
        "longitude",
        "state",
        "reason",
        "handled_by",
        "handled_at",
        "created_at",
    ]
    fields = readonly_fields
    list_select_related = ["station", "amenity"]

    def get_queryset(self, request):
        return StationCorrection.objects.visible_to(request.user)

    @admin.display(description=_("handle"))
    def console_link(self, correction):
        from django.urls import reverse
        from django.utils.html import format_html

        url = reverse("stations:console-station", kwargs={"slug": correction.station.slug})
        return format_html('<a href="{}#corrections">{}</a>', url, _("Open in the console"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
