"""The "Named helpers" role: party members a help request can be passed to by name."""

from django.db import migrations

NAME = "Named helpers"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=NAME)


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_sessions_and_sign_in_log")]

    operations = [migrations.RunPython(create_group, remove_group)]
