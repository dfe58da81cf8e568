"""The Django admin for events and visits: the same gatekeeper and the same writes
(``events.services``) as the organizers' staff pages."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from modeltranslation.admin import TranslationAdmin

from events import services
from events.forms import organisations_for
from events.models import Event, EventPhoto, Visit
from portal.lib.admin import NotStored, NotStoredAdminMixin


class EventPhotoInline(admin.TabularInline):
    model = EventPhoto
    extra = 0
    fields = ["image", "caption"]
    readonly_fields = ["image"]


class OrganiserScopedAdmin(admin.ModelAdmin):
    """Lists only rows of the user's organisations and offers only those organisations."""

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = organisations_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Event)
class EventAdmin(NotStoredAdminMixin, TranslationAdmin, OrganiserScopedAdmin):
    """Every language of the event's texts in one form (the Chinese title required)."""

    list_display = ["title", "kind", "starts_at", "organisation", "status", "published"]
    list_filter = ["kind", "status", "published"]
    search_fields = ["title_zh_hans", "title_en", "title_vi", "place"]
    date_hierarchy = "starts_at"
    list_select_related = ["organisation"]
    raw_id_fields = ["station"]
    readonly_fields = ["cover", "sequence", "created_by", "created_at", "updated_at"]
    inlines = [EventPhotoInline]

    def save_model(self, request, obj, form, change):
        # Through the service: a row lock and one SEQUENCE bump per edit, like the staff form.
        try:
            services.event_save(event=obj, by=request.user)
        except ValidationError as exc:
            # A file that cannot be written: the form comes back with the error, nothing saved.
            raise NotStored(exc) from None


@admin.register(Visit)
class VisitAdmin(OrganiserScopedAdmin):
    list_display = ["date", "organisation", "person_times", "given"]
    list_filter = ["organisation"]
    date_hierarchy = "date"
    list_select_related = ["organisation"]
    # Links to member records are edited on the staff page only, where the list is limited
    # to the people the user may see and the read is logged; here they are left alone.
    exclude = ["people"]

    def save_model(self, request, obj, form, change):
        services.visit_save(visit=obj, by=request.user)
