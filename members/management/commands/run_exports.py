"""Build queued export jobs of member records, outside any web request."""

import time

from django.core.management.base import BaseCommand

from members import exports


class Command(BaseCommand):
    help = "Build queued member-record exports; delete files past their download time."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Build what is queued now, then stop."
        )
        parser.add_argument(
            "--sleep", type=float, default=2.0, help="Seconds to wait when the queue is empty."
        )

    def handle(self, *args, once: bool, sleep: float, **options):
        while True:
            expired = exports.export_jobs_expire()
            if expired:
                self.stdout.write(f"expired {expired} export file(s)")
            job = exports.export_job_claim_next()
            if job is not None:
                job = exports.export_job_run(job=job)
                self.stdout.write(f"export job {job.pk}: {job.status}, {job.rows_done} rows")
                continue
            if once:
                return
            time.sleep(sleep)
