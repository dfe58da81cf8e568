"""Import and export of stations as XLSX or CSV (django-import-export), made to survive Excel.

What Excel does to a file, and what this module does about it:

* Chinese Excel reads a CSV as GBK unless it starts with a byte-order mark: exports carry one
  (``ExcelCSV``), and imports read UTF-8 with or without it and GB18030/GBK (what Excel
  writes back with "CSV (comma delimited)").
* Codes mean nothing to a person: columns are headed by the field's label in the page's
  language, choices and yes/no are written as words; imports accept labels in any of the
  site's languages or the codes.
* Excel turns ``07702800001`` into the number 7702800001: phones are written
  ``0770-2800001`` (text to Excel) and read with or without separators. Dates come back as
  ``2026/1/5``; both forms are read.
* Only rows that changed are written (``skip_unchanged``): the preview counts the others as
  unchanged, and their stations are not saved again.
"""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV

from portal.lib.spreadsheet import FORMULA_STARTS, neutralise_formula

from .models import Amenity, Station, StationAmenity
from .slugs import slug_unique

UNREADABLE = gettext_lazy(
    "This file could not be read. Save it from Excel as “Excel workbook (.xlsx)” or "
    "“CSV UTF-8”, choose the matching format here and try again."
)


class UnreadableFile(ValueError):
    """The uploaded file is not text in an encoding we read, or not a spreadsheet."""


def decode_text(data: bytes) -> str:
    """Return the text of a CSV file saved by Excel, WPS or a text editor.

    UTF-8 (with or without the byte-order mark) first, then GB18030, which covers GBK and
    GB2312 (what Chinese Excel writes). Raise ``UnreadableFile`` for anything else, and for
    bytes that only decode to control characters (a picture or a workbook sent as CSV).
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
        if controls == 0:
            return text
    raise UnreadableFile(str(UNREADABLE))


class ExcelCSV(CSV):
    """CSV with a byte-order mark on export and Excel's encodings on import."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = decode_text(in_stream)
        return super().create_dataset(in_stream.removeprefix("\ufeff"), **kwargs)

    def export_data(self, dataset, **kwargs):
        return "\ufeff" + super().export_data(dataset, **kwargs)

    # Read as bytes: ``create_dataset`` chooses the encoding, not the admin.
    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"


def _key(text) -> str:
    """Compare headers and words loosely: width, case and spaces do not matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).casefold()


def _in_every_language(make) -> list[str]:
    """Return ``make()`` evaluated in each of the site's languages."""
    found = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.append(str(make()))
    return found


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as its label ("港口区"); read from a label in any language or a code."""

    def __init__(self, choices, **kwargs):
        self.choices = list(choices)
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        wanted = _key(value)
        for code, label in self.choices:
            if wanted == _key(code) or wanted in {
                _key(text) for text in _in_every_language(lambda label=label: label)
            }:
                return code
        raise ValueError(
            _("Unknown value “%(value)s”: use one of %(choices)s.")
            % {"value": value, "choices": "、".join(str(label) for _code, label in self.choices)}
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class YesNoWidget(widgets.BooleanWidget):
    """Yes/no as words ("是"/"否"); reads them in any language, 1/0 and Excel's TRUE/FALSE."""

    def clean(self, value, row=None, **kwargs):
        text = _key(value)
        if text in {"", "none", "null"}:
            return False
        yes = {"1", "true", "yes", "y", "是", "có", "✓"} | {
            _key(word) for word in _in_every_language(lambda: _("yes"))
        }
        no = {"0", "false", "no", "n", "否", "không"} | {
            _key(word) for word in _in_every_language(lambda: _("no"))
        }
        if text in yes:
            return True
        if text in no:
            return False
        raise ValueError(_("Write yes or no, not “%(value)s”.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return _("yes") if value else _("no")


class PhoneWidget(widgets.CharWidget):
    """A landline written 0770-2800001 so Excel keeps it text (and its leading zero)."""

    def render(self, value, obj=None, **kwargs):
        digits = str(value or "")
        if re.fullmatch(r"0[0-9]{9,11}", digits):
            area = 3 if digits[1] in "12" else 4
            return f"{digits[:area]}-{digits[area:]}"
        return digits


class DayWidget(widgets.DateWidget):
    """A day as 2026-01-05; also read as Excel rewrites it (2026/1/5) or as a workbook date."""

    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip().split(" ")[0]
        for pattern in self.FORMATS:
            try:
                return datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise ValueError(_("Write the date as 2026-01-05, not “%(value)s”.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value.isoformat() if value else ""


class AmenityCodesWidget(widgets.Widget):
    """Amenity codes separated by commas: "showers,hot_water"; unknown codes refused."""

    def clean(self, value, row=None, **kwargs):
        text = unicodedata.normalize("NFKC", str(value or ""))
        codes = [code.strip() for code in re.split(r"[,;、]", text)]
        codes = [code for code in codes if code]
        known = set(Amenity.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValueError(_("Unknown amenity codes: %(codes)s") % {"codes": ", ".join(unknown)})
        return codes

    def render(self, value, obj=None, **kwargs):
        return ",".join(value or [])


FIELDS = [
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


def _label(name: str):
    if name == "amenity_codes":
        return gettext_lazy("amenities (codes)")
    return Station._meta.get_field(name.removesuffix("_zh_hans")).verbose_name


def _same(new, old) -> bool:
    """Tell whether an imported value equals the stored one, as a person would judge it."""
    if new in (None, "") and old in (None, ""):
        return True
    if isinstance(new, bool) or isinstance(old, bool):
        return new is old
    if isinstance(new, (int, float, Decimal)) or isinstance(old, (int, float, Decimal)):
        try:
            return Decimal(str(new)) == Decimal(str(old))
        except (InvalidOperation, TypeError):
            return False
    if isinstance(new, str) and isinstance(old, str):
        return new.strip() == old.strip()
    return new == old


def _phone_digits(value) -> str:
    return re.sub(r"[\s\-().]", "", unicodedata.normalize("NFKC", str(value or "")))


class StationResource(resources.ModelResource):
    # The translated texts (stations/translation.py) travel as their Chinese columns, whatever
    # the admin's language: django-modeltranslation's ``name`` reads and writes the active
    # language's column, so an import from /en/admin/ would otherwise fill ``name_en``.
    name = fields.Field(attribute="name_zh_hans", column_name="name")
    host_organisation = fields.Field(
        attribute="host_organisation_zh_hans", column_name="host_organisation"
    )
    location_note = fields.Field(attribute="location_note_zh_hans", column_name="location_note")
    address = fields.Field(attribute="address_zh_hans", column_name="address")
    closure_reason = fields.Field(attribute="closure_reason_zh_hans", column_name="closure_reason")
    kind = fields.Field(
        attribute="kind", column_name="kind", widget=ChoiceLabelWidget(Station.Kind.choices)
    )
    route = fields.Field(
        attribute="route", column_name="route", widget=ChoiceLabelWidget(Station.Route.choices)
    )
    district = fields.Field(
        attribute="district",
        column_name="district",
        widget=ChoiceLabelWidget(Station.District.choices),
    )
    status = fields.Field(
        attribute="status", column_name="status", widget=ChoiceLabelWidget(Station.Status.choices)
    )
    phone = fields.Field(attribute="phone", column_name="phone", widget=PhoneWidget())
    last_verified = fields.Field(
        attribute="last_verified", column_name="last_verified", widget=DayWidget()
    )
    open_24h = fields.Field(attribute="open_24h", column_name="open_24h", widget=YesNoWidget())
    published = fields.Field(attribute="published", column_name="published", widget=YesNoWidget())
    has_lighting = fields.Field(
        attribute="has_lighting", column_name="has_lighting", widget=YesNoWidget()
    )
    has_cctv = fields.Field(attribute="has_cctv", column_name="has_cctv", widget=YesNoWidget())
    guarded_lot = fields.Field(
        attribute="guarded_lot", column_name="guarded_lot", widget=YesNoWidget()
    )
    amenity_codes = fields.Field(
        attribute="amenity_codes", column_name="amenities", widget=AmenityCodesWidget()
    )

    class Meta:
        model = Station
        import_id_fields = ["slug"]
        fields = FIELDS
        export_order = FIELDS
        # Model validation (ranges, choices, phone) runs on every row: errors per row.
        clean_model_instances = True
        # Rows equal to the stored station are left alone and counted as unchanged.
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    # --- headers: labels out, labels (any language) or names in ----------------------------

    @classmethod
    def column_label(cls, name: str) -> str:
        """The label a column is headed by (and listed by on the export form)."""
        field = cls.fields.get(name)
        return str(_label(field.attribute if field is not None else name))

    def get_export_headers(self, selected_fields=None):
        return [str(_label(field.attribute)) for field in self.get_export_fields(selected_fields)]

    def _header_names(self) -> dict[str, str]:
        """Map every accepted header (loosely compared) to the column name the fields use."""
        names: dict[str, str] = {}
        for field in self.get_import_fields():
            column = field.column_name
            for accepted in (
                column,
                field.attribute,
                *_in_every_language(lambda a=field.attribute: _label(a)),
            ):
                names[_key(accepted)] = column
        return names

    def before_import(self, dataset, **kwargs):
        names = self._header_names()
        if dataset.headers:
            dataset.headers = [
                names.get(_key(header), str(header or "").strip()) for header in dataset.headers
            ]
        super().before_import(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        for key, value in list(row.items()):
            # What our export neutralised ("'=…") comes back as it was typed.
            if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_STARTS:
                row[key] = value[1:]
        if not str(row.get("slug") or "").strip() and row.get("name"):
            row["slug"] = slug_unique(
                str(row["name"]), taken=lambda s: Station.objects.filter(slug=s).exists()
            )
        super().before_import_row(row, **kwargs)

    # --- only changed rows ------------------------------------------------------------------

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Skip a row equal to its stored station: same values (as a person would judge:
        21.6 is 21.600000, 0770-2800001 is 07702800001) and the same amenities."""
        if import_validation_errors or original is None or original.pk is None:
            return False
        for field in self.get_import_fields():
            if field.attribute == "amenity_codes":
                if field.column_name not in row:
                    continue
                stored = set(
                    StationAmenity.objects.filter(station=original).values_list(
                        "amenity__code", flat=True
                    )
                )
                if set(getattr(instance, "amenity_codes", None) or []) != stored:
                    return False
                continue
            new, old = field.get_value(instance), field.get_value(original)
            if field.attribute == "phone":
                new, old = _phone_digits(new), _phone_digits(old)
            if not _same(new, old):
                return False
        return True

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
