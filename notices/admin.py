"""Admin: the work-chat groups (set up here), the outbox (read-only, failed rows can be retried),
staff notice preferences and text-message opt-outs."""

from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notices.models import GroupWebhook, Notice, NoticePreference, SmsOptOut
from notices.outbox import notices_retry


@admin.register(GroupWebhook)
class GroupWebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation_or_desk", "provider", "format", "language", "active"]
    list_filter = ["provider", "active"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    # Robot addresses are https; an address typed without a scheme gets https, not http.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [
        "name",
        "organisation",
        "provider",
        "url",
        "secret",
        "format",
        "language",
        "quiet_start",
        "quiet_end",
        "active",
    ]

    @admin.display(description=_("organisation"), ordering="organisation__name")
    def organisation_or_desk(self, obj):
        return obj.organisation or _("Dispatch desk")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent, what waits, what failed and why."""

    list_display = [
        "created_at",
        "channel",
        "kind",
        "state",
        "attempts",
        "recipient",
        "subject",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["state", "channel", "kind"]
    search_fields = ["topic", "subject"]
    actions = ["retry"]
    exclude = ["to", "params"]
    readonly_fields = [
        "channel",
        "kind",
        "state",
        "topic",
        "group",
        "recipient",
        "language",
        "subject",
        "body",
        "link",
        "urgent",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group")

    @admin.display(description=_("to"))
    def recipient(self, obj):
        return obj.group.name if obj.group else obj.masked_to

    @admin.action(description=_("Send the selected failed notices again"))
    def retry(self, request, queryset):
        count = notices_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d notice queued again.", "%(count)d notices queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "language"]
    list_filter = ["channel", "language"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    list_display = ["masked", "created_at"]
    exclude = ["phone"]
    readonly_fields = ["created_at"]

    @admin.display(description=_("phone"))
    def masked(self, obj):
        return str(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
