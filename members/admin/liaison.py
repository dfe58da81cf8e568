"""Liaison duties and their contacts in the admin, scoped, logged and kept in history."""

from django.contrib import admin

from accounts.models import User

from ..models import DutyContact, LiaisonDuty
from ..querysets import organisations_visible_to
from .base import ScopedAdmin


@admin.register(LiaisonDuty)
class LiaisonDutyAdmin(ScopedAdmin):
    list_display = ["__str__", "committee_member", "enterprise", "started_on", "ended_on"]
    list_select_related = ["committee_member", "enterprise"]
    search_fields = ["enterprise__name"]
    autocomplete_fields = ["enterprise"]
    fields = ["committee_member", "enterprise", "started_on", "ended_on"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "committee_member":
            # Only staff of the organisations the officer covers, never every account.
            kwargs["queryset"] = (
                User.objects.filter(
                    is_active=True, organisations__in=organisations_visible_to(request.user)
                )
                .distinct()
                .order_by("username")
            )
            return super(ScopedAdmin, self).formfield_for_foreignkey(db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(DutyContact)
class DutyContactAdmin(ScopedAdmin):
    list_display = ["contacted_on", "duty", "enterprise", "method"]
    list_select_related = ["duty__enterprise"]
    list_filter = ["method"]
    search_fields = ["duty__enterprise__name"]
    date_hierarchy = "contacted_on"
    fields = ["duty", "contacted_on", "method", "raised", "follow_up"]

    @admin.display(description=LiaisonDuty._meta.get_field("enterprise").verbose_name)
    def enterprise(self, contact):
        return contact.duty.enterprise
