"""Create the cache table on databases migrated while REDIS_URL was set.

0001 used to create it only for a configured database cache; the table is now also the
fallback of rate limits when Redis is down, so every installation needs it.
"""

from django.db import migrations

from portal.migrations import _cache_table


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_cache_table")]

    operations = [migrations.RunPython(_cache_table.create, migrations.RunPython.noop)]
