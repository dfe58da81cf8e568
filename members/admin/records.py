"""Dossier entries, mentoring pairs and liaison contacts in the admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import resources, services
from ..documents import check_document
from ..models import DossierEntry, LiaisonContact, MentoringPair, PartyMembership
from .base import ScopedAdmin, ScopedExportMixin, document_link


class DocumentNotStored(Exception):
    """The checked document could not be written; ``message`` says so to the officer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
        super().clean()
        cleaned = self.cleaned_data
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

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return super().get_fieldsets(request, obj)
        # Said before anything is typed: an entry is permanent.
        description = _(
            "An entry is permanent: it can never be changed or deleted. To correct one, add "
            "a new entry that says what was wrong and what is right."
        )
        return [(None, {"fields": self.get_fields(request), "description": description})]

    def response_add(self, request, obj, post_url_continue=None):
        """Name the person the entry was added to, then return to their page (or to a new
        entry for them with "save and add another")."""
        person = obj.person
        if obj.kind == DossierEntry.Kind.DOCUMENT:
            text = _("A document was added to the dossier of %(name)s.")
        else:
            text = _("A note was added to the dossier of %(name)s.")
        self.message_user(request, text % {"name": person.name}, messages.SUCCESS)
        if "_addanother" in request.POST:
            url = reverse("admin:members_dossierentry_add") + f"?person={person.pk}"
        else:
            url = reverse("admin:members_person_change", args=[person.pk])
        return HttpResponseRedirect(url)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self.get_fields(request, obj)

    @admin.display(description=_("document"))
    def download(self, entry):
        return document_link(entry) or "—"

    def history_view(self, request, object_id, extra_context=None):
        # Entries have no history of their own: they never change.
        raise Http404

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DocumentNotStored as exc:
            # The file could not be written (a full disk): nothing was saved; say so on
            # the form's page instead of a server error.
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        person, text = form.cleaned_data["person"], form.cleaned_data.get("text", "")
        if form.cleaned_data["kind"] == DossierEntry.Kind.DOCUMENT:
            try:
                saved = services.dossier_document_add(
                    person=person, user=request.user, upload=form.cleaned_data["upload"], text=text
                )
            except ValidationError as exc:
                raise DocumentNotStored(" ".join(exc.messages)) from None
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
        super().clean()
        cleaned = self.cleaned_data
        mentor, drivers = cleaned.get("mentor"), cleaned.get("drivers") or []
        if mentor is not None and not PartyMembership.objects.filter(person=mentor).exists():
            self.add_error("mentor", _("The mentor must be a party member."))
        if mentor is not None and mentor in drivers:
            self.add_error("drivers", _("The mentor cannot be one of their own drivers."))
        if any(not driver.is_driver for driver in drivers):
            self.add_error("drivers", _("Only drivers can be paired with a mentor."))
        return cleaned


@admin.register(MentoringPair)
class MentoringPairAdmin(ScopedExportMixin, ScopedAdmin):
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
class LiaisonContactAdmin(ScopedExportMixin, ScopedAdmin):
    resource_classes = [resources.LiaisonContactExportResource]
    list_display = ["contacted_on", "from_person", "to_person", "direction", "method"]
    list_select_related = ["from_person", "to_person"]
    list_filter = ["direction", "method"]
    search_fields = ["from_person__name", "to_person__name"]
    autocomplete_fields = ["from_person", "to_person"]
    date_hierarchy = "contacted_on"
