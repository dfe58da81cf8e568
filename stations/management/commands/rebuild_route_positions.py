from django.core.management.base import BaseCommand

from stations.road.services import route_positions_rebuild_all


class Command(BaseCommand):
    help = "Place every station on every route line again (after ROUTE_MAX_OFFSET_M changes)."

    def handle(self, *args, **options):
        for code, count in route_positions_rebuild_all().items():
            self.stdout.write(f"{code}: {count} stations on the line")
