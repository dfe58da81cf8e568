"""Lists that say what they hold: the queue pages through every request; cheap figures."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.figures import help_figures
from helpdesk.models import HelpRequest
from helpdesk.services import requests as services
from helpdesk.views.staff import QUEUE_PER_PAGE

from .helpers import make_request

pytestmark = pytest.mark.django_db

CODE = re.compile(r"<strong>([0-9A-Z]{4}-[0-9A-Z]{4})</strong>")


def _codes(client, **params) -> list[str]:
    response = client.get(reverse("helpdesk:staff-queue"), params)
    assert response.status_code == 200
    return CODE.findall(response.content.decode())


def test_queue_shows_every_request_across_its_pages(client, dispatcher):
    total = 2 * QUEUE_PER_PAGE + 7
    for index in range(total):
        make_request(urgent=index % 9 == 0)
    client.force_login(dispatcher)
    pages = [_codes(client, state="all", page=n) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [QUEUE_PER_PAGE, QUEUE_PER_PAGE, 7]
    shown = [code for page in pages for code in page]
    assert len(shown) == len(set(shown)) == HelpRequest.objects.count() == total
    assert set(shown) == {r.display_code for r in HelpRequest.objects.all()}
    first = client.get(reverse("helpdesk:staff-queue"), {"state": "all"}).content.decode()
    assert f"共 {total} 条求助" in first and "page=3" in first
    # Past the last page: the last page, not an error or an empty list.
    assert _codes(client, state="all", page=99) == pages[2]


def test_queue_puts_overdue_and_urgent_first_then_due_time(client, dispatcher, committee):
    later = make_request()
    overdue = make_request()
    urgent = make_request(urgent=True)
    closed_overdue = make_request()
    services.help_request_reject(request=closed_overdue, actor=dispatcher, reason="spam")
    past = timezone.now() - timedelta(hours=2)
    HelpRequest.objects.filter(pk__in=[overdue.pk, closed_overdue.pk]).update(due_at=past)
    HelpRequest.objects.filter(pk=later.pk).update(due_at=timezone.now() + timedelta(days=3))
    client.force_login(dispatcher)
    codes = _codes(client, state="all")
    # Overdue and urgent lead, the longest overdue first; then the nearest deadline.
    assert codes.index(overdue.display_code) < codes.index(urgent.display_code)
    assert codes.index(urgent.display_code) < codes.index(later.display_code)
    # A closed request is never "overdue": it does not jump ahead of open work.
    assert codes.index(later.display_code) < codes.index(closed_overdue.display_code)


def test_queue_page_links_keep_the_filters(client, dispatcher):
    for _ in range(QUEUE_PER_PAGE + 1):
        make_request(category="legal")
    client.force_login(dispatcher)
    html = client.get(reverse("helpdesk:staff-queue"), {"category": "legal"}).content.decode()
    assert 'href="?category=legal&amp;page=2"' in html
    assert len(_codes(client, category="legal", page=2)) == 1


def test_help_admin_lists_by_urgency_and_due_time(client, desk):
    calm = make_request()
    urgent = make_request(urgent=True)
    newest = make_request()
    HelpRequest.objects.filter(pk=newest.pk).update(due_at=None)
    client.force_login(desk)
    html = client.get(reverse("admin:helpdesk_helprequest_changelist")).content.decode()
    assert html.index(urgent.display_code) < html.index(calm.display_code)
    assert html.index(calm.display_code) < html.index(newest.display_code)


def test_figures_are_cached_until_the_records_change(
    dispatcher, committee, django_assert_max_num_queries
):
    request = make_request()
    first = help_figures()
    with django_assert_max_num_queries(3):  # the version check, and the cache read
        assert help_figures() == first
    services.help_request_transfer(request=request, actor=dispatcher, organisation=committee)
    changed = help_figures()
    assert changed["median_hours_to_transfer"] is not None
    assert first["median_hours_to_transfer"] is None
    make_request(category="legal")
    assert help_figures()["legal_consultations"] == first["legal_consultations"] + 1


def test_public_figures_page_reads_no_rows_when_cached(client, django_assert_max_num_queries):
    for _ in range(5):
        make_request()
    client.get(reverse("helpdesk:figures"))
    with django_assert_max_num_queries(4):
        assert client.get(reverse("helpdesk:figures")).status_code == 200
