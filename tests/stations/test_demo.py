"""Demo data: about sixty stations along G228 and G219, twice without change."""

from io import StringIO

from django.core.management import call_command

from stations import geo
from stations.models import RouteLine, Station, validate_line_string


def test_seed_demo_is_idempotent_and_realistic(db):
    call_command("seed_demo", stdout=StringIO())
    counts = (Station.objects.count(), RouteLine.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (Station.objects.count(), RouteLine.objects.count()) == counts
    assert 55 <= counts[0] <= 65
    assert counts[1] == 2
    assert not Station.objects.filter(is_demo=False).exists()
    assert Station.objects.filter(status=Station.Status.TEMPORARILY_CLOSED).count() >= 3
    assert Station.objects.filter(open_24h=False).exists()
    assert Station.objects.exclude(kind=Station.Kind.DRIVER_HOME).exists()
    assert {s.route for s in Station.objects.all()} == {"G228", "G219", "other"}
    for route in RouteLine.objects.all():
        validate_line_string(route.geometry)
    # Every demo station lies in China near Fangchenggang (none across the border).
    for station in Station.objects.all():
        assert not geo.out_of_china(station.latitude, station.longitude), station.name
        assert geo.haversine_m(21.61, 108.35, station.latitude, station.longitude) < 120_000
        assert station.phone.startswith("077028")
    manager = Station.objects.filter(managers__isnull=False).first().managers.get()
    assert manager.username == "demo-station-manager"
