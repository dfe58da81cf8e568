"""People, enterprises and party memberships in the admin."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from accounts.models import Organisation
from portal.lib.phones import mask

from .. import resources, services
from ..credit_code import normalize_credit_code
from ..models import Enterprise, PartyMembership, Person
from .base import ScopedAdmin, ScopedExportMixin, document_link, masked, optional_mobile


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "name",
            "phone",
            "organisation",
            "employer",
            "is_driver",
            "certificate_number",
            "notes",
        ]

    def clean_phone(self):
        return optional_mobile(self.cleaned_data.get("phone", ""))

    def clean_certificate_number(self):
        value = self.cleaned_data.get("certificate_number", "")
        if not value:
            return ""
        try:
            return resources.clean_certificate(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


@admin.register(Person)
class PersonAdmin(ScopedExportMixin, ImportExportMixin, ScopedAdmin):
    form = PersonForm
    skip_admin_log = True
    # A link to the officers' overview; django-import-export adds its buttons around it.
    change_list_template = "admin/members/person_change_list.html"
    resource_classes = [resources.PersonExportResource]
    list_display = [
        "name",
        "masked_phone",
        "organisation",
        "employer",
        "is_driver",
        "masked_certificate",
        "membership_status",
    ]
    list_select_related = ["organisation", "employer", "membership"]
    list_filter = ["is_driver", "membership__status", "membership__is_mobile"]
    search_fields = ["name", "phone", "certificate_number"]
    autocomplete_fields = ["employer"]
    readonly_fields = ["membership_link", "dossier_entries"]
    masked_phone = masked("phone", _("mobile phone"))
    masked_certificate = masked("certificate_number", _("qualification certificate number"))

    def get_import_resource_classes(self, request):
        return [resources.PersonImportResource]

    def autocomplete_label(self, person) -> str:
        """The picker's line: name, organisation and the masked phone, so namesakes differ
        ("张三 · 港口区党支部 · 138****1111"). Only what the list shows too."""
        parts = [person.name, person.organisation.name if person.organisation_id else ""]
        if person.phone:
            parts.append(mask(person.phone))
        return " · ".join(part for part in parts if part)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # "Add an entry" on the person's page, for those who may add one.
        extra_context = dict(extra_context or {})
        if request.user.has_perm("members.add_dossierentry") and str(object_id).isdigit():
            extra_context["add_entry_url"] = (
                reverse("admin:members_dossierentry_add") + f"?person={int(object_id)}"
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_export_resource_classes(self, request):
        return [resources.PersonExportResource]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def has_import_permission(self, request):
        return self.has_add_permission(request)

    @admin.display(description=_("membership"))
    def membership_status(self, person):
        membership = getattr(person, "membership", None)
        if membership is None:
            return "—"
        if membership.is_mobile:
            return format_html("{} · {}", membership.get_status_display(), _("mobile party member"))
        return membership.get_status_display()

    @admin.display(description=_("membership"))
    def membership_link(self, person):
        membership = getattr(person, "membership", None) if person.pk else None
        if membership is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:members_partymembership_change", args=[membership.pk]),
            self.membership_status(person),
        )

    @admin.display(description=_("dossier"))
    def dossier_entries(self, person):
        if not person.pk:
            return "—"
        entries = person.dossier.all()[:50]
        if not entries:
            return _("No entries yet.")
        rows = [
            (
                entry.created_at.date().isoformat(),
                entry.get_kind_display(),
                entry.text,
                document_link(entry),
            )
            for entry in entries
        ]
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} · {}: {} {}</li>", rows))

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            # A reader who may not edit sees the same masked values as in the list.
            fields = [
                {"phone": "masked_phone", "certificate_number": "masked_certificate"}.get(f, f)
                for f in fields
            ]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields += ["masked_phone", "masked_certificate"]
        return fields


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "address", "contact_name", "contact_phone", "organisation"]

    def clean_credit_code(self):
        return normalize_credit_code(self.cleaned_data.get("credit_code", ""))

    def clean_contact_phone(self):
        return optional_mobile(self.cleaned_data.get("contact_phone", ""))


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedExportMixin, ScopedAdmin):
    form = EnterpriseForm
    resource_classes = [resources.EnterpriseExportResource]
    list_display = ["name", "credit_code", "organisation", "contact_name", "masked_contact_phone"]
    list_select_related = ["organisation"]
    search_fields = ["name", "credit_code"]
    masked_contact_phone = masked("contact_phone", _("contact phone"))


@admin.register(PartyMembership)
class PartyMembershipAdmin(ScopedAdmin):
    list_display = [
        "person",
        "organisation",
        "status",
        "joined_on",
        "is_mobile",
        "home_organisation",
    ]
    list_select_related = ["person", "organisation", "home_organisation"]
    list_filter = ["status", "is_mobile"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A mobile member's home organisation is usually elsewhere, outside the officer's
        # tree; organisation names are not personal data.
        if db_field.name == "home_organisation":
            kwargs["queryset"] = Organisation.objects.all()
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj, user=request.user)
