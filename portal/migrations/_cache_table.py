"""The database cache's table, created by migrations 0001 and 0002 (not a migration)."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable

# The table named by settings.DATABASE_CACHE, created whatever the cache settings say.
TABLE = "portal_cache"


def create(apps, schema_editor):
    """Create the table unless it exists (createcachetable's own check)."""
    command = CreateCacheTable(no_color=True)
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)
