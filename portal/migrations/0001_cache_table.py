"""Create the database cache's table, so that ``migrate`` is the whole database step.

Without REDIS_URL the cache (rate limits, lockout counters) lives in the database; with
it, rate limits fall back to this table while Redis does not answer. An operator who
forgot a separate ``createcachetable`` would get errors on the first form.
"""

from django.db import migrations

from portal.migrations import _cache_table


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(_cache_table.create, migrations.RunPython.noop)]
