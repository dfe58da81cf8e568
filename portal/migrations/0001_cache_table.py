"""Create the database cache's table, so that ``migrate`` is the whole database step.

Without REDIS_URL the cache (rate limits, lockout counters) lives in the database; an
operator who forgot a separate ``createcachetable`` would get errors on the first form.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
