"""Restore an archive from backup_portal into an empty installation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal import backup


class Command(BaseCommand):
    help = (
        "Check every checksum of ARCHIVE, then restore its database (into an empty one: a "
        "missing SQLite file, or an empty PostgreSQL database) and its files (into empty "
        "MEDIA_ROOT and PRIVATE_MEDIA_ROOT). Needs the BACKUP_KEY the archive was made with."
    )
    # The system checks open the database, which may not exist yet (that is the point).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--verify-only", action="store_true", help="check the archive, restore nothing"
        )

    def handle(self, *args, **options):
        try:
            if options["verify_only"]:
                manifest = backup.verify(options["archive"])
                self.stdout.write(f"ok: {len(manifest['members'])} members verified")
                return
            figures = backup.restore(options["archive"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"restored database={figures['database']} files={figures['files']} "
            f"seconds={figures['seconds']:.2f}"
        )
