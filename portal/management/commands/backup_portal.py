"""Back up the database, public media and private documents into one checked archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import backup


class Command(BaseCommand):
    help = (
        "Write driverhome-<time>.tar (database, media, private documents; personal data "
        "encrypted with BACKUP_KEY) into BACKUP_DIR or --dir, keeping the newest --keep."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=None, help="folder for the archives")
        parser.add_argument("--keep", type=int, default=None, help="archives to keep (0: keep all)")
        parser.add_argument(
            "--generate-key", action="store_true", help="print a new BACKUP_KEY and stop"
        )

    def handle(self, *args, **options):
        if options["generate_key"]:
            self.stdout.write(backup.generate_key())
            return
        folder = options["dir"] or Path(settings.BACKUP_DIR)
        keep = settings.BACKUP_KEEP if options["keep"] is None else options["keep"]
        try:
            result = backup.backup(folder, keep=keep)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{result.path} files={result.files} bytes={result.bytes} seconds={result.seconds:.2f}"
        )
