"""Send the queued notices: ``manage.py send_notices`` (a long-running worker) or ``--once``."""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from notices.outbox import notices_purge, notices_send

PURGE_EVERY_SECONDS = 3600


class Command(BaseCommand):
    help = "Send queued notices (e-mail, work-chat groups, text messages), retrying failures."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due, then exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds to wait when nothing is due."
        )
        parser.add_argument("--limit", type=int, default=50, help="Notices claimed at a time.")

    def handle(self, *args, once=False, interval=5.0, limit=50, **options):
        self.stopping = False

        def stop(signum, frame):
            # Finish the notice in hand, then leave: its claim is recorded, none is lost.
            self.stopping = True

        if not once:
            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
        purged_at = 0.0
        while not self.stopping:
            if not once:
                # A long-running worker drops connections the database has closed.
                close_old_connections()
            if time.monotonic() - purged_at > PURGE_EVERY_SECONDS:
                notices_purge()
                purged_at = time.monotonic()
            report = notices_send(limit=limit)
            if report.handled:
                self.stdout.write(
                    f"sent {report.sent}, retry later {report.retried}, failed {report.failed}, "
                    f"deferred {report.deferred}, cancelled {report.cancelled}"
                )
            if once:
                if report.handled < limit:
                    break
                continue
            if not report.handled:
                time.sleep(interval)
