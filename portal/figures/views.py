"""The public figures page and the committee's monthly report (staff)."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from portal.lib.charts import bar_chart
from stations.models import Station

from .compute import public_figures


def _charts(data: dict) -> list[dict]:
    """The page's charts: an id, a title, what the numbers count, and the geometry."""
    specs = [
        ("help-received", _("Help requests received, by month"), data["help"]["received_by_month"]),
        ("help-solved", _("Help requests solved, by month"), data["help"]["solved_by_month"]),
        ("visits", _("Care visits in person-times, by month"), data["visits"]["by_month"]),
        ("events", _("Events held, by month"), data["events"]["by_month"]),
        ("reached", _("People reached by events, by month"), data["events"]["reached_by_month"]),
        ("wishes", _("Micro-wishes fulfilled, by month"), data["wishes"]["by_month"]),
    ]
    return [
        {"id": chart_id, "title": title, "chart": bar_chart(rows)}
        for chart_id, title, rows in specs
    ]


@require_safe
def figures_page(request):
    """The article's figures, counted from the records, with a chart and table per series."""
    data = public_figures()
    kinds, routes = dict(Station.Kind.choices), dict(Station.Route.choices)
    context = {
        "figures": data,
        "charts": _charts(data),
        "station_kinds": [
            {"label": kinds[row["code"]], "value": row["value"]}
            for row in data["stations"]["by_kind"]
        ],
        "station_routes": [
            {"label": routes[row["code"]], "value": row["value"]}
            for row in data["stations"]["by_route"]
        ],
    }
    return render(request, "portal/figures.html", context)
