"""The staff home's panels for what no single app owns: the station manager's stations
(stations must work alone, so the portal registers them) and the committee's report."""

from django.urls import NoReverseMatch, reverse

from accounts.permissions import is_station_manager
from portal.figures.views import may_read_report
from stations.models import Station

# Stations listed on the staff home.
SHOWN = 20

# MERGE (issue 13, wt-live): the station manager's phone console is `stations:console`.
# This is the one place that links to it: the link appears as soon as the URL exists.
STATION_CONSOLE = "stations:console"


def _console_url() -> str:
    try:
        return reverse(STATION_CONSOLE)
    except NoReverseMatch:
        return ""


def stations_context(request):
    """The person's stations with their live status (one query)."""
    if not is_station_manager(request.user):
        return None
    stations = list(Station.objects.editable_by(request.user).order_by("name")[:SHOWN])
    return {"stations": stations, "console_url": _console_url()}


def report_context(request):
    return {} if may_read_report(request.user) else None


def register() -> None:
    from accounts import staffhome

    staffhome.register_panel(
        "stations", template="portal/_staff_home_stations.html", context=stations_context, order=30
    )
    staffhome.register_panel(
        "report", template="portal/_staff_home_report.html", context=report_context, order=60
    )
