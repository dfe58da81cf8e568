"""Demo data for care events and visits."""

from io import StringIO

import pytest
from django.db.models import Sum

from events.demo import seed
from events.models import Event, Visit
from stations.models import Station

pytestmark = pytest.mark.django_db


def test_demo_seed_makes_a_season_and_is_idempotent():
    seed(stdout=StringIO())
    seed(stdout=StringIO())
    assert Event.objects.count() == 10
    assert Event.objects.recent_past().filter(people_reached__gt=0).exclude(report="").count() >= 3
    assert Event.objects.upcoming().filter(status=Event.Status.SCHEDULED).count() >= 3
    assert Event.objects.filter(status=Event.Status.CANCELLED).count() == 1
    total = Visit.objects.total_person_times()
    assert total == Visit.objects.aggregate(total=Sum("person_times"))["total"]
    assert 200 <= total <= 1000
    assert Visit.objects.count() == 11
    assert all(event.place for event in Event.objects.all())


def test_demo_seed_uses_published_stations_as_venues():
    station = Station.objects.create(
        name="示例驿站", slug="demo-station", latitude=21.6, longitude=108.3, published=True
    )
    seed(stdout=StringIO())
    assert Event.objects.filter(station=station).count() == 10
    assert Event.objects.upcoming_at(station).exists()
