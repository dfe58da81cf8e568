"""Apply the access log's retention rule: archive, then delete, rows past the period."""

from django.conf import settings
from django.core.management.base import BaseCommand

from members.retention import access_log_purge


class Command(BaseCommand):
    help = (
        "Archive (gzip JSON lines + .sha256 under PRIVATE_MEDIA_ROOT/archives/access-log/) "
        "and delete access-log rows older than ACCESS_LOG_RETENTION_DAYS. Run daily."
    )

    def handle(self, *args, **options):
        result = access_log_purge()
        self.stdout.write(
            f"Cut-off {result.cutoff.isoformat()} "
            f"({settings.ACCESS_LOG_RETENTION_DAYS} days): {result.archived} rows archived"
            f"{f' to {result.archive}' if result.archive else ''}, {result.deleted} deleted."
        )
