from datetime import timedelta

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone


class CrossingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def with_recent_notices(self, *, days: int = 7):
        """Crossings with ``recent_notices`` (the last ``days`` days, newest first): 2 queries."""
        from .models import CrossingNotice

        since = timezone.now() - timedelta(days=days)
        return self.prefetch_related(
            Prefetch(
                "notices",
                queryset=CrossingNotice.objects.filter(posted_at__gte=since).order_by(
                    "-posted_at", "-pk"
                ),
                to_attr="recent_notices",
            )
        )
