"""The access log in the admin: superusers read it; nobody writes it here."""

from django.contrib import admin

from accounts.permissions import is_superuser

from ..models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Superusers read the log; nobody adds, changes or deletes it here."""

    list_display = ["at", "username", "action", "content_type", "object_id", "count"]
    list_filter = ["action", "content_type"]
    search_fields = ["username", "object_id"]
    list_select_related = ["content_type"]
    date_hierarchy = "at"

    def has_view_permission(self, request, obj=None):
        return is_superuser(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
