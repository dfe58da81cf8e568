"""Give member-records officers their model permissions (exports stay a separate grant)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICERS = "Member-records officers"
# Officers read and keep records; dossier entries are only ever added; deleting and
# exporting are not part of the role and must be granted one by one.
CODENAMES = [
    "view_enterprise",
    "add_enterprise",
    "change_enterprise",
    "view_person",
    "add_person",
    "change_person",
    "view_partymembership",
    "add_partymembership",
    "change_partymembership",
    "view_dossierentry",
    "add_dossierentry",
    "view_mentoringpair",
    "add_mentoringpair",
    "change_mentoringpair",
    "view_liaisoncontact",
    "add_liaisoncontact",
    "change_liaisoncontact",
]


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return [
        *Permission.objects.filter(content_type__app_label="members", codename__in=CODENAMES),
        # Officers pick organisations in their records' forms.
        *Permission.objects.filter(
            content_type__app_label="accounts", codename="view_organisation"
        ),
    ]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now.
    for label in ("accounts", "members"):
        app_config = apps.get_app_config(label)
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
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0002_staff_groups"),
        ("members", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
