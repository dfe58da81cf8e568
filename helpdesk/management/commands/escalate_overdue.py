"""Escalate overdue help requests one level up the assistance chain; safe every minute."""

from django.core.management.base import BaseCommand

from helpdesk.services.escalation import escalate_overdue


class Command(BaseCommand):
    help = "Move help requests that missed their deadline to the next level and notify them."

    def handle(self, *args, **options):
        moved = escalate_overdue()
        self.stdout.write(f"escalated {moved} request(s)")
