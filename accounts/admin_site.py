"""The admin in the person's language, arranged by task.

* The site's name in the header and the browser tab, never "Django".
* The index grouped by task, in the order staff need them, with the staff pages linked
  above; the sign-in security of django-axes last.
* Roles (groups) and permissions shown by translated labels, not their stored English
  names; yes/no icons with translated alternative text.

Installed from ``AccountsConfig.ready()``; Django's and the other apps' own catalogues miss
a few strings, which ``accounts/admin_strings.py`` lists for ours.
"""

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .autocomplete import LabelledAutocompleteJsonView
from .roles import ROLE_LABELS

# Sections of the admin index: (title, app labels and "app.Model" names in it), in order.
# Anything not named lands in "Other", just before the security section.
SECTIONS: list[tuple[Any, list[str]]] = [
    (_("Help requests"), ["helpdesk"]),
    (_("Events and visits"), ["events"]),
    (_("Service stations"), ["stations"]),
    (_("Party-member records"), ["members"]),
    (_("Notices"), ["notices"]),
    (_("Partner apps (Open311)"), ["open311"]),
    (_("Staff, roles and sign-in"), ["accounts", "auth"]),
]
SECURITY = (_("Sign-in security (lockouts)"), ["axes"])


def grouped_app_list(app_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Regroup Django's per-app index into the task sections above (security last)."""
    by_label = {app["app_label"]: app for app in app_list}
    sections, used = [], set()
    for title, labels in [*SECTIONS, SECURITY]:
        models = []
        first = None
        for label in labels:
            app = by_label.get(label)
            if app is None:
                continue
            first = first or app
            models.extend(app["models"])
            used.add(label)
        if first is not None and models:
            sections.append({**first, "name": title, "models": models})
    others = [app for app in app_list if app["app_label"] not in used]
    if others:
        sections[-1:-1] = others
    return sections


def role_label(group) -> str:
    return str(ROLE_LABELS.get(group.name, group.name))


def permission_label(permission) -> str:
    """ "活动 · 可修改" rather than "events | event | Can change event"."""
    model = permission.content_type.model_class()
    name = model._meta.verbose_name if model is not None else permission.content_type.model
    action = permission.codename.split("_", 1)[0]
    actions = {
        "add": _("may add"),
        "change": _("may change"),
        "delete": _("may delete"),
        "view": _("may view"),
    }
    if action in actions:
        return f"{name} · {actions[action]}"
    return f"{name} · {gettext(permission.name)}"


def _boolean_icon(field_val):
    # Django writes alt="True"/"False" in English: say yes or no in the page's language.
    icon = {True: "yes", False: "no", None: "unknown"}[field_val]
    alt = {True: gettext("yes"), False: gettext("no"), None: gettext("unknown")}[field_val]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), alt)


def _sign_in_attempts(row) -> str:
    return gettext("Sign-in attempts by %(user)s") % {"user": row.username or "–"}


def _sign_in(row) -> str:
    return gettext("Sign-in of %(user)s") % {"user": row.username or "–"}


def _failed_sign_in(row) -> str:
    return gettext("Failed sign-in of %(user)s") % {"user": row.username or "–"}


def _link_row(row) -> str:
    return str(row._meta.verbose_name)


def _third_party_names() -> None:
    """Give the models that other apps name only in English translatable names."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import User

    links = {
        User.organisations.through: (_("organisation of a staff account"), _("organisations")),
        User.groups.through: (_("role of a staff account"), _("roles")),
        User.user_permissions.through: (_("permission of a staff account"), _("permissions")),
        Group.permissions.through: (_("permission of a role"), _("permissions")),
    }
    names = {
        TOTPDevice: (_("authenticator app"), _("authenticator apps")),
        StaticDevice: (_("recovery code set"), _("recovery code sets")),
        StaticToken: (_("recovery code"), _("recovery codes")),
        **links,
    }
    for model, (singular, plural) in names.items():
        model._meta.verbose_name, model._meta.verbose_name_plural = singular, plural
    # Rows of Django's own link tables describe themselves as "User_groups object (1)".
    for link in links:
        link.__str__ = _link_row
    # django-simple-history names its copies "historical <model>", in English only.
    for model in apps.get_models():
        history_model = getattr(getattr(model, "history", None), "model", None)
        if history_model is not None and history_model is not model:
            meta = history_model._meta
            meta.verbose_name = format_lazy(_("history of {}"), model._meta.verbose_name)
            meta.verbose_name_plural = format_lazy(
                _("history of {}"), model._meta.verbose_name_plural
            )
    # django-axes' rows describe themselves in English.
    AccessAttempt.__str__ = _sign_in_attempts
    AccessLog.__str__ = _sign_in
    AccessFailureLog.__str__ = _failed_sign_in


def install() -> None:
    """Name the site, group its index and translate roles, permissions and yes/no icons."""
    from django.contrib.auth.models import Group

    _third_party_names()
    site = admin.site
    site.site_header = _("Driver Home administration")
    site.site_title = _("Driver Home administration")
    site.index_title = _("What do you want to do?")
    site.index_template = "admin/driverhome_index.html"
    original = site.get_app_list

    def get_app_list(request, app_label=None):
        app_list = original(request, app_label)
        return app_list if app_label else grouped_app_list(app_list)

    site.get_app_list = get_app_list  # type: ignore[method-assign]

    def autocomplete_view(request):
        return LabelledAutocompleteJsonView.as_view(admin_site=site)(request)

    site.autocomplete_view = autocomplete_view  # type: ignore[method-assign]
    # A role is shown by its label in the page's language wherever Django prints a group.
    Group.__str__ = role_label  # type: ignore[method-assign,assignment]
    admin_list._boolean_icon = _boolean_icon
