"""Delete finished help requests and wishes older than the retention period."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from helpdesk.choices import FINAL_STATES
from helpdesk.models import HelpRequest, Wish

RETENTION_DAYS = 730


class Command(BaseCommand):
    help = "Delete help requests finished, and wishes created, more than two years ago."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=RETENTION_DAYS)

    @transaction.atomic
    def handle(self, *args, days, **options):
        cutoff = timezone.now() - timedelta(days=days)
        # updated_at moves with every transition, so it is the time the request finished.
        requests = HelpRequest.objects.filter(state__in=FINAL_STATES, updated_at__lt=cutoff)
        count, _ = requests.delete()
        wishes, _ = Wish.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"deleted {count} help request row(s), {wishes} wish(es)")
