"""Import and export of stations as CSV or XLSX (django-import-export)."""

from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from portal.lib.spreadsheet import neutralise_formula

from .models import Amenity, Station, StationAmenity


class AmenityCodesWidget(widgets.Widget):
    """Amenity codes separated by commas: "showers,hot_water"; unknown codes refused."""

    def clean(self, value, row=None, **kwargs):
        codes = [code.strip() for code in str(value or "").replace(";", ",").split(",")]
        codes = [code for code in codes if code]
        known = set(Amenity.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValueError(_("Unknown amenity codes: %(codes)s") % {"codes": ", ".join(unknown)})
        return codes

    def render(self, value, obj=None, **kwargs):
        return ",".join(value or [])


class StationResource(resources.ModelResource):
    amenity_codes = fields.Field(
        attribute="amenity_codes", column_name="amenities", widget=AmenityCodesWidget()
    )

    class Meta:
        model = Station
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "name",
            "kind",
            "host_organisation",
            "route",
            "location_note",
            "district",
            "address",
            "latitude",
            "longitude",
            "phone",
            "open_24h",
            "status",
            "closure_reason",
            "published",
            "truck_parking_spaces",
            "max_vehicle_length_m",
            "max_vehicle_height_m",
            "has_lighting",
            "has_cctv",
            "guarded_lot",
            "last_verified",
            "amenity_codes",
        ]
        export_order = fields
        # Model validation (ranges, choices, phone) runs on every row: errors per row.
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    def get_export_queryset(self, request=None):
        return super().get_export_queryset(request).prefetch_related("amenities__amenity")

    def dehydrate_amenity_codes(self, station):
        return ",".join(row.amenity.code for row in station.amenities.all())

    def after_save_instance(self, instance, row, **kwargs):
        """Make the station's amenities exactly the codes in the row, keeping live status.

        Also place the station on the route lines again (its coordinates may have changed).
        """
        from .road.services import station_route_positions_update

        station_route_positions_update(station=instance)
        codes = getattr(instance, "amenity_codes", None)
        if codes is None:
            return
        StationAmenity.objects.filter(station=instance).exclude(amenity__code__in=codes).delete()
        present = set(
            StationAmenity.objects.filter(station=instance).values_list("amenity__code", flat=True)
        )
        StationAmenity.objects.bulk_create(
            StationAmenity(station=instance, amenity=amenity)
            for amenity in Amenity.objects.filter(code__in=codes).exclude(code__in=present)
        )

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))
