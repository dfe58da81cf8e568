"""Django's ``migrate``, allowed to create a missing SQLite file (a fresh install).

Every other connection opens an existing file only (``portal.db``); see docs/operations.md.
"""

from django.core.management.commands.migrate import Command as DjangoMigrate

from portal.db.base import creating_allowed


class Command(DjangoMigrate):
    def execute(self, *args, **options):
        # The system checks run before handle() and already open a connection.
        with creating_allowed():
            return super().execute(*args, **options)
