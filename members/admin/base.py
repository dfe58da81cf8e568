"""The scoped admin base every member-data admin builds on, and the export mixin.

Each ModelAdmin of member records takes its rows from ``Model.objects.visible_to(user)``,
answers 404 for records outside the user's scope (change, delete, history), masks phones and
certificate numbers in lists, and writes one access-log row per read or change.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Organisation, User
from accounts.twofactor import step_up_response
from portal.lib.importexport import LabelledExportForm
from portal.lib.phones import mask, normalize_mobile

from .. import exports, services
from ..models import AccessLog, DossierEntry, ExportJob
from ..querysets import organisations_visible_to

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
            # One row per search, not one per keystroke (see access_log_search).
            services.access_log_search(user=request.user, model=self.model)
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


class ExportRequestForm(forms.Form):
    format = forms.ChoiceField(
        label=_("format"), choices=ExportJob.Format.choices, initial=ExportJob.Format.XLSX
    )


class ScopedExportMixin(ExportMixin):
    """Exports: their own permission, the gatekeeper's rows, built off the request.

    The admin's "Export" button leads to a form that queues an export job
    (``members.exports``); the file is built by ``run_exports`` (small scopes at once) and
    fetched from the job's page. Listed first (before ``ScopedAdmin`` and any import mixin)
    so these methods win.
    """

    export_form_class = LabelledExportForm

    def has_export_permission(self, request):
        codename = f"{self.opts.app_label}.export_{self.opts.model_name}"
        return request.user.has_perm(codename)

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def export_action(self, request):
        """Ask for an export of everything in the officer's scope (POST queues the job)."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        # An export asks for the second factor again when the last check is old (after the
        # permission check, so those who may not export still get 403).
        refusal = step_up_response(request, next_url=request.path)
        if refusal is not None:
            return refusal
        form = ExportRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            job = exports.export_job_request(
                user=request.user, model=self.model, format=form.cleaned_data["format"]
            )
            return redirect("members:export-job", pk=job.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": _("Export %(records)s") % {"records": self.opts.verbose_name_plural},
        }
        return TemplateResponse(request, "admin/members/export_request.html", context)


def masked(field: str, description):
    """A list/readonly column showing ``field`` masked on the server."""

    # Assigned as a ModelAdmin attribute, so it is called as a method.
    @admin.display(description=description, ordering=field)
    def column(_admin, obj):
        return mask(getattr(obj, field))

    return column


def document_link(entry: DossierEntry) -> str:
    """A link to download a dossier document through the gatekeeper, or "" for other entries."""
    if entry.kind != DossierEntry.Kind.DOCUMENT:
        return ""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("members:dossier-download", args=[entry.pk]),
        _("Download"),
    )


def optional_mobile(value: str) -> str:
    """A form's optional mobile number in canonical form ("" when left empty)."""
    return normalize_mobile(value) if value else ""
