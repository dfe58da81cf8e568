from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services, twofactor
from .admin_site import permission_label, role_label
from .models import Organisation, SignInEvent, User


class StepUpAdminMixin:
    """Adding or changing roles and accounts asks for the second factor again."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        refusal = twofactor.step_up_response(request, next_url=request.path)
        if refusal is not None:
            return refusal
        return super().changeform_view(request, object_id, form_url, extra_context)


class PermissionLabelsMixin:
    """Permissions listed as "活动 · 可修改", roles by their translated labels."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name in ("permissions", "user_permissions") and field is not None:
            field.queryset = field.queryset.select_related("content_type")
            field.label_from_instance = permission_label
        if db_field.name == "groups" and field is not None:
            field.label_from_instance = role_label
        return field


@admin.register(User)
class UserAdmin(StepUpAdminMixin, PermissionLabelsMixin, BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Coverage"), {"fields": ["organisations"]}),)
    filter_horizontal = ["groups", "user_permissions", "organisations"]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "has_second_factor",
        "last_login",
    ]
    actions = ["reset_second_factor", "end_sessions"]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(second_factor=Exists(confirmed))

    @admin.display(description=_("second factor"), boolean=True, ordering="second_factor")
    def has_second_factor(self, obj):
        return getattr(obj, "second_factor", None)

    def _stepped_up(self, request) -> bool:
        if twofactor.recently_verified(request):
            return True
        self.message_user(
            request,
            _("Confirm your second factor first, then choose the action again."),
            messages.WARNING,
        )
        return False

    @admin.action(description=_("Reset second factor (the person must set it up again)"))
    def reset_second_factor(self, request, queryset):
        if not self._stepped_up(request):
            return twofactor.step_up_response(
                request, next_url=reverse("admin:accounts_user_changelist")
            )
        for user in queryset:
            services.twofactor_reset(user=user, actor=request.user, request=request)
        self.message_user(
            request, _("Second factor reset for %(count)s accounts.") % {"count": len(queryset)}
        )
        return None

    @admin.action(description=_("End all sessions of the selected accounts"))
    def end_sessions(self, request, queryset):
        total = 0
        for user in queryset:
            total += services.staff_sessions_end(user=user, request=request, actor=request.user)
        self.message_user(request, _("%(count)s sessions ended.") % {"count": total})


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(StepUpAdminMixin, PermissionLabelsMixin, BaseGroupAdmin):
    list_display = ["role"]

    @admin.display(description=_("role"), ordering="name")
    def role(self, obj):
        return role_label(obj)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """The sign-in log: read-only, for superusers."""

    list_display = ["created_at", "username", "kind", "actor", "address", "device", "note"]
    list_filter = ["kind"]
    search_fields = ["username"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
