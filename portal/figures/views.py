"""The public figures page and the committee's monthly report (staff)."""

from datetime import timedelta
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.permissions import is_organizer, is_records_officer, staff_view
from portal.lib.charts import bar_chart
from stations.models import Station

from .compute import public_figures
from .forms import ReportForm
from .report import monthly_report, report_organisations, report_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def may_read_report(user) -> bool:
    """The committee's report is for organizers and member-records officers (and superusers)."""
    return is_organizer(user) or is_records_officer(user)


def _report(request):
    """Return (form, report); the report is None when the form is invalid."""
    organisations = report_organisations(request.user)
    if not request.GET:
        top = organisations.exclude(parent__in=organisations).first() or organisations.first()
        last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        data = {"month": last_month, "organisation": top.pk if top else ""}
    else:
        data = request.GET
    form = ReportForm(data, organisations=organisations)
    if not form.is_valid():
        return form, None
    return form, monthly_report(
        organisation=form.cleaned_data["organisation"], month=form.cleaned_data["month"]
    )


@staff_view(may_read_report)
@require_safe
def report_page(request):
    """The month's figures for one of the viewer's organisations and its subtree."""
    form, report = _report(request)
    if report is None:
        return render(request, "portal/report.html", {"form": form}, status=400)
    query = urlencode({"month": f"{report.month:%Y-%m}", "organisation": report.organisation.pk})
    return render(request, "portal/report.html", {"form": form, "report": report, "query": query})


@staff_view(may_read_report)
@require_safe
def report_xlsx_download(request):
    """The same report as an XLSX workbook."""
    form, report = _report(request)
    if report is None:
        return render(request, "portal/report.html", {"form": form}, status=400)
    response = HttpResponse(report_xlsx(report), content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="report-{report.month:%Y-%m}-{report.organisation.pk}.xlsx"'
    )
    return response
