"""Give member-records officers the liaison-duty permissions (view, add, change)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICERS = "Member-records officers"
CODENAMES = [
    "view_liaisonduty",
    "add_liaisonduty",
    "change_liaisonduty",
    "view_dutycontact",
    "add_dutycontact",
    "change_dutycontact",
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="members", codename__in=CODENAMES)


def grant(apps, schema_editor):
    app_config = apps.get_app_config("members")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=OFFICERS)
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=OFFICERS).first()
    if group:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [("members", "0004_liaison_duty")]

    operations = [migrations.RunPython(grant, revoke)]
