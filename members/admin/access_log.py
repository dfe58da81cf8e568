"""The access log in the admin: superusers read it; nobody writes or deletes it here.

Built for a table of millions of rows. Every question is an indexed one: reads of one
record (``object_id`` + record type, index ``members_accesslog_record_at``), what one user
read over a period (index ``members_accesslog_user_at``), and dates as plain bounds on
``at``. There is no date hierarchy (a whole-table date truncation), no substring search and
no full count: the paginator counts at most ``BoundedPaginator.LIMIT`` rows.
"""

from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import is_superuser

from ..models import AccessLog


class BoundedPaginator(Paginator):
    """Count at most ``LIMIT`` rows (an index range scan), never the whole table."""

    LIMIT = 10_000

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list  # a queryset: the admin's changelist rows
        bounded = rows.order_by()[: self.LIMIT + 1].count()
        self.truncated = bounded > self.LIMIT
        return min(bounded, self.LIMIT)

    truncated = False


class StaffUserFilter(admin.SimpleListFilter):
    """Exact user: the staff accounts (a short list), never the log's distinct values."""

    title = _("user")
    parameter_name = "user"

    def lookups(self, request, model_admin):
        staff = User.objects.filter(is_staff=True).order_by("username")
        return [(str(pk), name) for pk, name in staff.values_list("pk", "username")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(user_id=int(value))
        return queryset


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Superusers read the log; nobody adds, changes or deletes it here.

    Rows leave only through the retention command (``purge_access_log``).
    """

    list_display = ["at", "username", "action", "content_type", "object_id", "count"]
    list_filter = [StaffUserFilter, "action", "content_type", ("at", admin.DateFieldListFilter)]
    # Exact matches only, answered from an index (see get_search_results).
    search_fields = ["object_id"]
    search_help_text = _("An exact record id (with a record type filter: one record's reads).")
    list_select_related = ["content_type"]
    list_per_page = 50
    show_full_result_count = False
    paginator = BoundedPaginator
    change_list_template = "admin/members/accesslog/change_list.html"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().replace("\x00", "")
        if not term:
            return queryset, False
        return queryset.filter(object_id=term[:64]), False

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
