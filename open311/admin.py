"""Partners and their keys in the admin: a key is shown once, when it is issued."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .models import CallLog, Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "contact", "active", "key_prefix", "key_issued_at"]
    list_filter = ["active"]
    search_fields = ["name"]
    readonly_fields = ["key_prefix", "key_issued_at", "created_at", "updated_at"]
    fields = ["name", "contact", "active", *readonly_fields]
    actions = ["issue_new_key"]

    def _show_key(self, request, partner: Partner, key: str) -> None:
        messages.warning(
            request,
            gettext(
                "The API key of %(partner)s is %(key)s. Copy it now: it is shown only once "
                "and only its hash is kept."
            )
            % {"partner": partner.name, "key": key},
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new partner gets its key at once.
        key = services.partner_key_issue(partner=obj)
        self._show_key(request, obj, key)

    @admin.action(description=_("Issue a new API key (the old one stops working)"))
    def issue_new_key(self, request, queryset):
        for partner in queryset:
            self._show_key(request, partner, services.partner_key_issue(partner=partner))


@admin.register(CallLog)
class CallLogAdmin(admin.ModelAdmin):
    list_display = ["at", "partner", "method", "endpoint", "response_format", "status"]
    list_filter = ["endpoint", "status", "partner"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
