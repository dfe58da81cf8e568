"""Spreadsheet exports and imports (django-import-export), scoped, masked and formula-safe."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from accounts.models import Organisation
from portal.lib.phones import mask, normalize_mobile
from portal.lib.spreadsheet import neutralise_formula as neutralise

from .models import Enterprise, LiaisonContact, MentoringPair, Person
from .querysets import organisations_visible_to


class SafeExportResource(resources.ModelResource):
    """Base for every export: the dataset leaves with every formula neutralised."""

    def __init__(self, **kwargs):
        self.user = kwargs.pop("user", None)
        super().__init__(**kwargs)

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset=queryset, **kwargs)
        dataset.headers = [neutralise(str(header)) for header in dataset.headers or []]
        for index, row in enumerate(dataset):
            dataset[index] = tuple(neutralise(cell) for cell in row)
        return dataset


class PersonExportResource(SafeExportResource):
    organisation = fields.Field(
        attribute="organisation__name", column_name=gettext_lazy("records kept by")
    )
    employer = fields.Field(attribute="employer__name", column_name=gettext_lazy("employer"))
    phone = fields.Field(column_name=gettext_lazy("mobile phone (masked)"))
    certificate_number = fields.Field(column_name=gettext_lazy("certificate number (masked)"))
    membership = fields.Field(column_name=gettext_lazy("membership"))
    is_mobile = fields.Field(column_name=gettext_lazy("mobile party member"))
    is_driver = fields.Field(attribute="is_driver", column_name=gettext_lazy("driver"))
    name = fields.Field(attribute="name", column_name=gettext_lazy("name"))
    notes = fields.Field(attribute="notes", column_name=gettext_lazy("notes"))

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "phone",
            "organisation",
            "employer",
            "is_driver",
            "certificate_number",
            "membership",
            "is_mobile",
            "notes",
        ]
        export_order = fields

    def dehydrate_phone(self, person):
        return mask(person.phone)

    def dehydrate_certificate_number(self, person):
        return mask(person.certificate_number)

    def dehydrate_membership(self, person):
        membership = getattr(person, "membership", None)
        return membership.get_status_display() if membership else ""

    def dehydrate_is_mobile(self, person):
        membership = getattr(person, "membership", None)
        return bool(membership and membership.is_mobile)


class EnterpriseExportResource(SafeExportResource):
    organisation = fields.Field(
        attribute="organisation__name", column_name=gettext_lazy("party organisation")
    )
    contact_phone = fields.Field(column_name=gettext_lazy("contact phone (masked)"))

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "name",
            "credit_code",
            "address",
            "contact_name",
            "contact_phone",
            "organisation",
        ]
        export_order = fields

    def dehydrate_contact_phone(self, enterprise):
        return mask(enterprise.contact_phone)


class MentoringPairExportResource(SafeExportResource):
    organisation = fields.Field(
        attribute="organisation__name", column_name=gettext_lazy("organisation")
    )
    mentor = fields.Field(attribute="mentor__name", column_name=gettext_lazy("mentor"))
    driver_count = fields.Field(column_name=gettext_lazy("drivers"))

    class Meta:
        model = MentoringPair
        fields = ["id", "organisation", "mentor", "driver_count", "started_on", "ended_on"]
        export_order = fields

    def dehydrate_driver_count(self, pair):
        return len(pair.drivers.all())


class LiaisonContactExportResource(SafeExportResource):
    from_person = fields.Field(attribute="from_person__name", column_name=gettext_lazy("who"))
    to_person = fields.Field(attribute="to_person__name", column_name=gettext_lazy("whom"))

    class Meta:
        model = LiaisonContact
        fields = ["id", "from_person", "to_person", "direction", "method", "contacted_on", "note"]
        export_order = fields


class ScopedForeignKeyWidget(ForeignKeyWidget):
    """A record named in a cell, looked up only within the importer's scope."""

    def __init__(self, model, *, field, rows, missing):
        super().__init__(model, field=field)
        # ``missing`` is the message for a value not found among ``rows`` (lazy text).
        self.rows, self.missing = rows, missing

    def get_queryset(self, value, row, *args, **kwargs):
        return self.rows

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(str(self.missing)) from None


class PersonImportResource(resources.ModelResource):
    """Import new people. Every row is checked; one bad row and nothing is written.

    Rows only ever create people (never update): updating by id or phone would let a
    file reach records outside the importer's scope.
    """

    def __init__(self, **kwargs):
        self.user = kwargs.pop("user", None)
        super().__init__(**kwargs)
        self.fields["organisation"] = fields.Field(
            attribute="organisation",
            column_name="organisation",
            widget=ScopedForeignKeyWidget(
                Organisation,
                field="name",
                rows=organisations_visible_to(self.user),
                missing=gettext_lazy("No organisation of that name in your records."),
            ),
        )
        self.fields["employer"] = fields.Field(
            attribute="employer",
            column_name="employer",
            widget=ScopedForeignKeyWidget(
                Enterprise,
                field="credit_code",
                rows=Enterprise.objects.visible_to(self.user),
                missing=gettext_lazy("No enterprise with that credit code in your records."),
            ),
        )

    class Meta:
        model = Person
        fields = ["name", "phone", "organisation", "employer", "is_driver", "certificate_number"]
        import_id_fields: list[str] = []
        clean_model_instances = True
        skip_diff = False

    def get_instance(self, instance_loader, row):
        return None

    def before_import_row(self, row, **kwargs):
        if row.get("phone"):
            try:
                row["phone"] = normalize_mobile(row["phone"])
            except ValidationError as exc:
                raise ValueError(" ".join(exc.messages)) from None
        if row.get("certificate_number"):
            row["certificate_number"] = clean_certificate(row["certificate_number"])
        name = (row.get("name") or "").strip()
        if not name:
            raise ValueError(_("Every row needs a name."))

    def import_data(self, dataset, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        kwargs["use_transactions"] = True
        return super().import_data(dataset, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        from .services import access_log_record

        access_log_record(user=self.user, action="import", model=instance)


def clean_certificate(value: str) -> str:
    """Return a certificate number as ASCII capitals and digits, or raise ValueError."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
    text = text.replace(" ", "")
    if not text or not text.isascii() or not text.isalnum() or len(text) > 32:
        raise ValueError(
            _("A certificate number has up to 32 letters and digits."),
        )
    return text
