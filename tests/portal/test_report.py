"""The committee's monthly report: scoped to the viewer's subtree, printable, XLSX."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone, translation
from openpyxl import load_workbook

from events.models import Visit
from helpdesk.models import HelpEvent, HelpRequest
from portal.figures.report import month_bounds

pytestmark = pytest.mark.django_db

URL = "/staff/report/"


@pytest.fixture
def committee_organizer(make_user, committee):
    from accounts.roles import ORGANIZERS

    return make_user("committee_organizer", ORGANIZERS, [committee])


@pytest.fixture
def month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def records(branch_a, branch_b, month, make_event):
    """Visits in both branches; an event with a formula-like title and report in A."""
    Visit.objects.create(date=month, organisation=branch_a, person_times=11)
    Visit.objects.create(date=month, organisation=branch_b, person_times=200)
    start, _end = month_bounds(month)
    make_event(
        title='=HYPERLINK("http://evil")',
        starts_at=start + timedelta(hours=1),
        report="送出绿豆汤120份",
        people_reached=120,
    )
    make_event(title="乙支部活动", starts_at=start + timedelta(hours=2), organisation=branch_b)


def _get(client, **params):
    return client.get(URL, params)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dispatcher", 404), ("station_manager", 404), ("help_handler", 404), ("officer_a", 200)],
)
def test_report_access(request, client, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == status
    assert "no-store" in response["Cache-Control"]


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_branch_officer_report_covers_only_their_subtree(
    client, officer_a, branch_a, branch_b, committee, records, month
):
    client.force_login(officer_a)
    html = _get(client, month=f"{month:%Y-%m}", organisation=branch_a.pk).content.decode()
    assert "<td>11</td>" in html and "<td>200</td>" not in html
    assert "送出绿豆汤120份" in html and "乙支部活动" not in html
    # Another branch, or the committee above, is not among their choices.
    for other in (branch_b, committee):
        response = _get(client, month=f"{month:%Y-%m}", organisation=other.pk)
        assert response.status_code == 400
        assert "<td>200</td>" not in response.content.decode()
    # The default is their own organisation, last month.
    assert client.get(URL).status_code == 200


def test_committee_report_covers_the_whole_tree(
    client, committee_organizer, committee, records, month
):
    client.force_login(committee_organizer)
    html = _get(client, month=f"{month:%Y-%m}", organisation=committee.pk).content.decode()
    assert "<td>211</td>" in html and "乙支部活动" in html


def test_bad_months_are_refused_with_a_message(client, officer_a, branch_a):
    client.force_login(officer_a)
    next_year = timezone.localdate().year + 1
    for bad in ["2026-13", "x", "2026-1\x00", f"{next_year}-01", ""]:
        response = _get(client, month=bad, organisation=branch_a.pk)
        assert response.status_code == 400
        assert 'class="errorlist' in response.content.decode()


def test_overdue_requests_and_how_they_ended(client, committee_organizer, committee, month):
    start, _end = month_bounds(month)
    late = HelpRequest.objects.create(
        code="AAAA1111",
        form_token="t1",
        category="legal",
        description="工资被拖欠",
        phone="13800138000",
        state="closed",
        holder_organisation=committee,
    )
    HelpEvent.objects.create(
        request=late,
        kind="escalated",
        from_state="received",
        to_state="received",
        to_organisation=committee,
        created_at=start + timedelta(hours=1),
    )
    client.force_login(committee_organizer)
    html = _get(client, month=f"{month:%Y-%m}", organisation=committee.pk).content.decode()
    section = html.split('id="report-overdue"')[1]
    assert "AAAA-1111" in section and "13800138000" not in html


def test_xlsx_reads_back_and_is_formula_safe(client, officer_a, branch_a, records, month):
    client.force_login(officer_a)
    response = client.get(
        "/staff/report/report.xlsx", {"month": f"{month:%Y-%m}", "organisation": branch_a.pk}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(BytesIO(response.content))
    figures = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row}
    assert 11 in figures.values() and 200 not in figures.values()
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    titles = [row[1] for row in book.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert titles == ['\'=HYPERLINK("http://evil")']


def test_print_stylesheet_is_a4(client, officer_a):
    client.force_login(officer_a)
    html = client.get(URL).content.decode()
    assert "css/report.css" in html
    with open(finders.find("css/report.css")) as handle:
        css = handle.read()
    assert "@media print" in css and "size: A4" in css


def test_month_bounds_cover_the_local_month():
    start, end = month_bounds(date(2026, 12, 15))
    assert (start.month, end.year, end.month) == (12, 2027, 1)


def test_median_hours_count_from_receipt_to_the_first_transfer(committee, month):
    from portal.figures.report import monthly_report

    start, _end = month_bounds(month)
    for index, hours in enumerate([2, 4, 9]):
        request = HelpRequest.objects.create(
            code=f"AAAA111{index}",
            form_token=f"m{index}",
            category="breakdown",
            description="抛锚",
            phone="13800138000",
            holder_organisation=committee,
        )
        HelpRequest.objects.filter(pk=request.pk).update(created_at=start + timedelta(hours=1))
        HelpEvent.objects.create(
            request=request,
            kind="transferred",
            from_state="received",
            to_state="transferred",
            to_organisation=committee,
            created_at=start + timedelta(hours=1 + hours),
        )
    with translation.override("en"):
        figures = dict(monthly_report(organisation=committee, month=month).figures)
    assert figures["Median hours to transfer"] == 4.0
    assert figures["Median hours to resolve"] == "–"
