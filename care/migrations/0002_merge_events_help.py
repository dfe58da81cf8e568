from django.db import migrations


class Migration(migrations.Migration):
    """Join the events and help-request migrations, written in parallel."""

    dependencies = [
        ("care", "0001_events"),
        ("care", "0001_help"),
    ]

    operations = []
