from django.contrib import admin

from events.models import Event, EventPhoto, Visit


class EventPhotoInline(admin.TabularInline):
    model = EventPhoto
    extra = 0
    fields = ["image", "caption"]
    readonly_fields = ["image"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "starts_at", "organisation", "status", "published"]
    list_filter = ["kind", "status", "published"]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_at"
    list_select_related = ["organisation"]
    raw_id_fields = ["station"]
    readonly_fields = ["cover", "sequence", "created_by", "created_at", "updated_at"]
    inlines = [EventPhotoInline]

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)

    def save_model(self, request, obj, form, change):
        # Admin edits count as changes for subscribed calendars too.
        if change:
            obj.sequence += 1
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["date", "organisation", "person_times", "given"]
    list_filter = ["organisation"]
    date_hierarchy = "date"
    list_select_related = ["organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).editable_by(request.user)
