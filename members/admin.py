"""The member records in the Django admin, every view scoped by the one gatekeeper.

Each ModelAdmin here takes its rows from ``Model.objects.visible_to(user)``, answers 404
for records outside the user's scope (change, delete, history), masks phones and
certificate numbers in lists, and writes one access-log row per read or change.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseBadRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Organisation, User
from portal.lib.phones import mask, normalize_mobile

from . import resources, services
from .credit_code import normalize_credit_code
from .documents import check_document
from .models import (
    AccessLog,
    DossierEntry,
    Enterprise,
    LiaisonContact,
    MentoringPair,
    PartyMembership,
    Person,
)
from .querysets import organisations_visible_to

Action = AccessLog.Action


def _has_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in query.lists())


def _is_autocomplete(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name == "autocomplete")


class ScopedAdmin(SimpleHistoryAdmin):
    """Scoping, 404s, logging and service-layer writes shared by every member-data admin."""

    list_per_page = 50
    export_formats = [CSV, XLSX]

    # --- Scope --------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = self.model.objects.visible_to(request.user)
        if self.list_select_related and self.list_select_related is not True:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Outside the user's scope and missing look the same.
            raise Http404
        return obj

    def _editable(self, request, obj) -> bool:
        # Asked several times while one page renders: answer once per request.
        cache = request.__dict__.setdefault("_members_editable", {})
        key = (self.model._meta.label, obj.pk)
        if key not in cache:
            cache[key] = self.model.objects.editable_by(request.user).filter(pk=obj.pk).exists()
        return cache[key]

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or self._editable(request, obj)

    def _scoped_choices(self, db_field, request, kwargs) -> None:
        # Choices are limited to what the officer may see: records in scope, and the
        # organisations they cover.
        related = db_field.related_model
        if related is Organisation:
            kwargs["queryset"] = organisations_visible_to(request.user)
        elif hasattr(related.objects, "visible_to") and related is not User:
            kwargs["queryset"] = related.objects.visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scoped_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- Reads, logged once each -----------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        # PostgreSQL refuses NUL in text: answer a clear 400 rather than a server error.
        if _has_nul(request.GET):
            return HttpResponseBadRequest(
                _("The address contains a character that is not allowed.")
            )
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            changelist = getattr(response, "context_data", {}).get("cl")
            services.access_log_record(
                user=request.user,
                action=Action.LIST,
                model=self.model,
                count=changelist.result_count if changelist else None,
            )
        return response

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "")
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if _is_autocomplete(request):
            services.access_log_record(user=request.user, action=Action.SEARCH, model=self.model)
        return results, may_have_duplicates

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            services.access_log_record(
                user=request.user, action=Action.VIEW, model=self.model, object_id=object_id
            )
        return response

    def _check_history_access(self, request, object_id):
        obj = self.get_object(request, object_id)
        # History shows every past value in full, so it is for those who may edit.
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def history_view(self, request, object_id, extra_context=None):
        obj = self._check_history_access(request, object_id)
        response = super().history_view(request, object_id, extra_context)
        services.access_log_record(user=request.user, action=Action.HISTORY, model=obj)
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self._check_history_access(request, object_id)
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if request.method == "GET":
            services.access_log_record(user=request.user, action=Action.HISTORY, model=obj)
        return response

    # --- Django's own admin log ---------------------------------------------------------------
    # LogEntry keeps str(obj) — a person's name — forever, even after the person is deleted.
    # Changes are recorded by the access log and simple-history instead.

    def log_addition(self, request, obj, message):
        return None

    def log_change(self, request, obj, message):
        return None

    def log_deletion(self, request, obj, object_repr):
        return None

    def log_deletions(self, request, queryset):
        return None

    # --- Writes through services -----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        services.record_save(instance=obj, user=request.user)

    def delete_model(self, request, obj):
        services.record_delete(instance=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        # One by one, so history and the access log see each deletion.
        for obj in queryset:
            services.record_delete(instance=obj, user=request.user)


class ScopedExportMixin:
    """Exports: their own permission, the gatekeeper's rows, one log row each.

    Listed before django-import-export's mixins so these methods win.
    """

    def has_export_permission(self, request):
        codename = f"{self.opts.app_label}.export_{self.opts.model_name}"
        return request.user.has_perm(codename)

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_data_for_export(self, request, queryset, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        services.access_log_record(
            user=request.user, action=Action.EXPORT, model=self.model, count=len(data)
        )
        return data


def masked(field: str, description):
    """A list/readonly column showing ``field`` masked on the server."""

    # Assigned as a ModelAdmin attribute, so it is called as a method.
    def column(_admin, obj):
        return mask(getattr(obj, field))

    column.short_description = description
    column.admin_order_field = field
    return column


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
        value = self.cleaned_data.get("phone", "")
        return normalize_mobile(value) if value else ""

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
        rows = []
        for entry in entries:
            link = ""
            if entry.kind == DossierEntry.Kind.DOCUMENT:
                link = format_html(
                    '<a href="{}">{}</a>',
                    reverse("members:dossier-download", args=[entry.pk]),
                    _("Download"),
                )
            rows.append(
                (entry.created_at.date().isoformat(), entry.get_kind_display(), entry.text, link)
            )
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
        value = self.cleaned_data.get("contact_phone", "")
        return normalize_mobile(value) if value else ""


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedExportMixin, ExportMixin, ScopedAdmin):
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


class DossierEntryForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("document"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB. Images are re-encoded without metadata."),
    )
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (DossierEntry.Kind.NOTE, DossierEntry.Kind.NOTE.label),
            (DossierEntry.Kind.DOCUMENT, DossierEntry.Kind.DOCUMENT.label),
        ],
    )

    class Meta:
        model = DossierEntry
        fields = ["person", "kind", "text"]

    def clean(self):
        cleaned = super().clean()
        kind, upload = cleaned.get("kind"), cleaned.get("upload")
        if kind == DossierEntry.Kind.DOCUMENT:
            if not upload:
                self.add_error("upload", _("Choose the file to add."))
            else:
                try:
                    check_document(upload)
                except ValidationError as exc:
                    self.add_error("upload", exc)
        elif upload:
            self.add_error("upload", _("A note has no file; choose “Document” to add one."))
        elif kind == DossierEntry.Kind.NOTE and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("Write the note."))
        return cleaned


@admin.register(DossierEntry)
class DossierEntryAdmin(ScopedAdmin):
    """Dossier entries are added, never changed or deleted: a correction is a new entry."""

    form = DossierEntryForm
    list_display = ["created_at", "person", "kind", "content_kind", "author"]
    list_select_related = ["person", "author"]
    list_filter = ["kind"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["person", "kind", "text", "upload"]
        return ["person", "kind", "text", "content_kind", "download", "author", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self.get_fields(request, obj)

    @admin.display(description=_("document"))
    def download(self, entry):
        if entry.kind != DossierEntry.Kind.DOCUMENT:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("members:dossier-download", args=[entry.pk]),
            _("Download"),
        )

    def history_view(self, request, object_id, extra_context=None):
        # Entries have no history of their own: they never change.
        raise Http404

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        person, text = form.cleaned_data["person"], form.cleaned_data.get("text", "")
        if form.cleaned_data["kind"] == DossierEntry.Kind.DOCUMENT:
            saved = services.dossier_document_add(
                person=person, user=request.user, upload=form.cleaned_data["upload"], text=text
            )
        else:
            saved = services.dossier_note_add(person=person, user=request.user, text=text)
        # The admin's messages and redirects refer to the object it was given.
        obj.pk = saved.pk
        obj._state.adding = False


class MentoringPairForm(forms.ModelForm):
    class Meta:
        model = MentoringPair
        fields = ["organisation", "mentor", "drivers", "started_on", "ended_on"]

    def clean(self):
        cleaned = super().clean()
        mentor, drivers = cleaned.get("mentor"), cleaned.get("drivers") or []
        if mentor is not None and not PartyMembership.objects.filter(person=mentor).exists():
            self.add_error("mentor", _("The mentor must be a party member."))
        if mentor is not None and mentor in drivers:
            self.add_error("drivers", _("The mentor cannot be one of their own drivers."))
        if any(not driver.is_driver for driver in drivers):
            self.add_error("drivers", _("Only drivers can be paired with a mentor."))
        return cleaned


@admin.register(MentoringPair)
class MentoringPairAdmin(ScopedExportMixin, ExportMixin, ScopedAdmin):
    form = MentoringPairForm
    resource_classes = [resources.MentoringPairExportResource]
    list_display = ["__str__", "mentor", "organisation", "driver_count", "started_on", "ended_on"]
    list_select_related = ["mentor", "organisation"]
    search_fields = ["mentor__name"]
    autocomplete_fields = ["mentor", "drivers"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_driver_count=Count("drivers"))

    @admin.display(description=_("drivers"), ordering="_driver_count")
    def driver_count(self, pair):
        return pair._driver_count

    # save_model (from ScopedAdmin) saves and logs; the admin then saves the drivers in
    # save_related, inside the same transaction (changeform_view is atomic).


@admin.register(LiaisonContact)
class LiaisonContactAdmin(ScopedExportMixin, ExportMixin, ScopedAdmin):
    resource_classes = [resources.LiaisonContactExportResource]
    list_display = ["contacted_on", "from_person", "to_person", "direction", "method"]
    list_select_related = ["from_person", "to_person"]
    list_filter = ["direction", "method"]
    search_fields = ["from_person__name", "to_person__name"]
    autocomplete_fields = ["from_person", "to_person"]
    date_hierarchy = "contacted_on"


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Superusers read the log; nobody adds, changes or deletes it here."""

    list_display = ["at", "username", "action", "content_type", "object_id", "count"]
    list_filter = ["action", "content_type"]
    search_fields = ["username", "object_id"]
    list_select_related = ["content_type"]
    date_hierarchy = "at"

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
