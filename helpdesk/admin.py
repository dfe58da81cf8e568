"""Admin for help requests, deadlines and micro-wishes, read-only over the gatekeepers.

Requests and wishes are listed from ``visible_to(user)`` only; a change, history or delete
page of a record outside it answers 404, like a missing one. Transitions happen in the
dispatcher queue, through the services.
"""

from django.contrib import admin
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_active_staff
from helpdesk.figures import help_figures
from helpdesk.models import CategoryDeadline, HelpEvent, HelpRequest, Wish
from helpdesk.querysets import queue_ordering
from portal.lib.phones import mask


class HelpEventInline(admin.TabularInline):
    model = HelpEvent
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "kind",
        "from_state",
        "to_state",
        "actor",
        "to_organisation",
        "to_user",
        "text",
        "satisfied",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The parent page already passed the gatekeeper: whoever sees the request sees
        # its history, as on the staff detail page.
        return obj is not None


class GatekeptAdmin(admin.ModelAdmin):
    """Rows from the model's gatekeeper; read-only; out of scope or missing → 404."""

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # Outside the user's scope and missing look the same.
            raise Http404
        return obj

    def has_view_permission(self, request, obj=None):
        # Any staff account may open the list; the gatekeeper in get_queryset leaves it
        # empty for those who may see nothing, and their record pages answer 404.
        return is_active_staff(request.user)

    def has_module_permission(self, request):
        return is_active_staff(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(HelpRequest)
class HelpRequestAdmin(GatekeptAdmin):
    """Read-only view over the gatekeeper; transitions happen in the dispatcher queue."""

    list_display = [
        "tracking_code",
        "overdue",
        "category",
        "state",
        "urgent",
        "masked_phone",
        "station",
        "holder_organisation",
        "due_at",
        "created_at",
    ]
    list_filter = ["state", "category", "urgent", "level", "station", "holder_organisation"]
    search_fields = ["code"]
    inlines = [HelpEventInline]
    exclude = ["phone", "name"]
    readonly_fields = [
        "queue_link",
        "code",
        "category",
        "description",
        "station",
        "latitude",
        "longitude",
        "location_text",
        "urgent",
        "state",
        "level",
        "holder_organisation",
        "holder_user",
        "due_at",
        "duplicate_of",
        "created_at",
    ]
    change_list_template = "admin/helpdesk/helprequest/change_list.html"
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("station", "holder_organisation")

    def get_ordering(self, request):
        # The dispatcher queue's order: urgent and overdue open requests, then due time.
        return queue_ordering()

    @admin.display(description=_("tracking code"), ordering="code")
    def tracking_code(self, obj):
        return obj.display_code

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    @admin.display(description=_("callback phone"))
    def masked_phone(self, obj):
        return mask(obj.phone)

    @admin.display(description=_("dispatcher queue"))
    def queue_link(self, obj):
        url = reverse("helpdesk:staff-detail", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Open in the dispatcher queue"))

    def has_delete_permission(self, request, obj=None):
        # Finished requests are purged after the retention period, never by hand.
        return False

    def changelist_view(self, request, extra_context=None):
        # Cached and recomputed only when the records change (helpdesk.figures).
        extra_context = {**(extra_context or {}), "figures": help_figures()}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(CategoryDeadline)
class CategoryDeadlineAdmin(admin.ModelAdmin):
    list_display = [
        "category",
        "transfer_minutes",
        "urgent_transfer_minutes",
        "feedback_working_days",
        "resolve_working_days",
        "follow_up_working_days",
    ]


@admin.register(Wish)
class WishAdmin(GatekeptAdmin):
    list_display = ["short_text", "state", "approved_at", "rejected", "created_at"]
    list_filter = ["state", "rejected"]
    exclude = ["phone"]
    readonly_fields = [
        "text",
        "surname",
        "road",
        "state",
        "approved_at",
        "rejected",
        "claimed_by_organisation",
        "claimed_by_volunteer",
        "claimed_at",
        "fulfilled_at",
        "thank_you",
        "created_at",
    ]

    @admin.display(description=_("wish"))
    def short_text(self, obj):
        return obj.text[:60]
