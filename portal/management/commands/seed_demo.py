"""Load the demo data of every app, idempotently."""

import importlib
import importlib.util

from django.core.management.base import BaseCommand
from django.db import transaction

# Each module has a ``seed(*, stdout)`` function that creates its demo rows when missing.
# Order matters: organisations before the stations and care records that point at them.
DEMO_MODULES = [
    "members.demo",
    "stations.demo",
    "events.demo",
    "helpdesk.demo",
    "crossings.demo",
]


class Command(BaseCommand):
    help = "Create the illustrative demo data (invented people and places); safe to run again."

    def handle(self, *args, **options):
        for dotted in DEMO_MODULES:
            if importlib.util.find_spec(dotted.rsplit(".", 1)[0]) is None:
                continue
            try:
                spec = importlib.util.find_spec(dotted)
            except ModuleNotFoundError:
                spec = None
            if spec is None:
                continue
            module = importlib.import_module(dotted)
            with transaction.atomic():
                module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
