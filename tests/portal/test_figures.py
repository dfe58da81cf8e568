"""The public figures page: computed from the records, charts with titles and tables,
small cells suppressed, no personal data in any language, cached until a record changes."""

import re
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from events.models import Event, EventStatus, Visit
from helpdesk.models import HelpEvent, HelpRequest, Wish
from members.figures import member_figures
from members.models import Enterprise, PartyMembership, Person
from portal.figures.compute import months_back
from portal.lib.cells import FEWER_THAN, suppress
from stations.models import Station
from tests.crawl import crawl_public
from tests.stations.test_budget import OFFLINE_SCRIPTS, TEXT_BUDGET, weigh
from tests.test_public_crawl import _help_secrets, _member_secrets

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())


def _value(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, element_id
    return match.group(1)


def _shown(count: int) -> str:
    return str(suppress(count))


def test_every_number_equals_a_direct_count_over_the_demo_data(client, demo):
    html = client.get("/en/figures/").content.decode()
    now = timezone.now()
    published = Station.objects.filter(published=True).exclude(status="retired")
    assert _value(html, "fig-stations-total") == str(published.count())
    for kind, label in Station.Kind.choices:
        count = published.filter(kind=kind).count()
        if count:
            assert f'<th scope="row">{label}</th><td>{count}</td>' in html
    for route, label in Station.Route.choices:
        assert (
            f'<th scope="row">{label}</th><td>{published.filter(route=route).count()}</td>' in html
        )
    assert _value(html, "fig-help-received") == str(HelpRequest.objects.count())
    solved = HelpEvent.objects.filter(kind="resolved").values("request").distinct().count()
    assert _value(html, "fig-help-solved") == str(solved)
    followed = (
        HelpEvent.objects.filter(kind__in=["followed_up", "reopened"])
        .values("request")
        .distinct()
        .count()
    )
    assert _value(html, "fig-help-followed") == str(followed)
    legal = HelpRequest.objects.filter(category="legal").count()
    assert _value(html, "fig-help-legal") == str(legal)
    times = Visit.objects.aggregate(n=Sum("person_times"))["n"]
    assert _value(html, "fig-visits") == str(times)
    held = Event.objects.filter(published=True, ends_at__lt=now).exclude(
        status=EventStatus.CANCELLED
    )
    assert _value(html, "fig-events") == str(held.count())
    assert _value(html, "fig-reached") == str(held.aggregate(n=Sum("people_reached"))["n"] or 0)
    fulfilled = Wish.objects.filter(state="fulfilled").count()
    assert _value(html, "fig-wishes") == str(fulfilled)
    assert _value(html, "fig-members-total") == _shown(PartyMembership.objects.count())
    assert _value(html, "fig-members-probationary") == _shown(
        PartyMembership.objects.filter(status="probationary").count()
    )
    assert _value(html, "fig-members-mobile") == _shown(
        PartyMembership.objects.filter(is_mobile=True).count()
    )
    assert _value(html, "fig-enterprises") == str(Enterprise.objects.count())
    assert _value(html, "fig-drivers") == _shown(Person.objects.filter(is_driver=True).count())
    # The demo has some mobile members, but fewer than 5: the page must not say how many.
    assert 0 < PartyMembership.objects.filter(is_mobile=True).count() < 5
    assert _value(html, "fig-members-mobile") == "fewer than 5"


def test_monthly_table_rows_equal_direct_counts(client, demo):
    html = client.get("/en/figures/").content.decode()
    table = html.split('id="visits-caption"')[1].split("</table>")[0]
    for month in months_back(timezone.localdate()):
        year, number = map(int, month.split("-"))
        total = (
            Visit.objects.filter(date__year=year, date__month=number).aggregate(
                n=Sum("person_times")
            )["n"]
            or 0
        )
        assert f'<th scope="row">{month}</th><td>{total}</td>' in table


def test_every_chart_has_a_title_a_description_and_a_data_table(client, demo):
    html = client.get("/figures/").content.decode()
    charts = re.findall(r"<figure class=\"chart\".*?</figure>", html, re.S)
    assert len(charts) == 6
    for chart in charts:
        svg = re.search(r"<svg[^>]*>", chart).group(0)
        assert 'role="img"' in svg and "aria-labelledby" in svg
        title = re.search(r"<title id=\"([^\"]+)\">([^<]+)</title>", chart)
        assert title and title.group(1) in svg
        assert "<desc" in chart
        assert len(re.findall(r"<rect ", chart)) == 12
        assert len(re.findall(r"<tr><th scope=\"row\">", chart)) == 12
    # No chart script on a public page.
    assert "<script" not in html.split("<main")[1].split("</main>")[0]


@pytest.mark.parametrize("language", ["", "/en", "/vi"])
def test_figures_page_is_within_the_text_page_budget_and_loads_no_script(client, demo, language):
    total, sizes = weigh(client, f"{language}/figures/")
    assert total <= TEXT_BUDGET, sizes
    # The site-wide offline app's scripts only: no chart script.
    scripts = {path for path in sizes if path.endswith(".js")}
    assert scripts <= OFFLINE_SCRIPTS, sizes


def test_small_cells_are_suppressed(branch_a, branch_b):
    home = branch_b
    people = [
        Person.objects.create(name=f"测试{i}", organisation=branch_a, is_driver=True)
        for i in range(7)
    ]
    for index, person in enumerate(people):
        PartyMembership.objects.create(
            person=person,
            organisation=branch_a,
            status="full" if index else "probationary",
            is_mobile=index < 3,
            home_organisation=home if index < 3 else None,
        )
    figures = member_figures()
    assert figures["members"] == 7
    assert figures["mobile"] == FEWER_THAN
    assert figures["probationary"] == FEWER_THAN
    (row,) = figures["by_branch"]
    assert row == {
        "organisation": branch_a.name,
        "members": 7,
        "probationary": FEWER_THAN,
        "mobile": FEWER_THAN,
    }
    assert member_figures([branch_b.pk])["members"] == 0
    assert suppress(0) == 0 and suppress(4) == FEWER_THAN and suppress(5) == 5


def test_the_page_shows_fewer_than_5_in_each_language(client, branch_a):
    person = Person.objects.create(name="孤单司机", organisation=branch_a)
    PartyMembership.objects.create(person=person, organisation=branch_a, status="full")
    for prefix in ("", "/en", "/vi"):
        html = client.get(f"{prefix}/figures/").content.decode()
        value = _value(html, "fig-members-total")
        assert value != "1" and value.strip()
        assert "孤单司机" not in html
    assert _value(client.get("/en/figures/").content.decode(), "fig-members-total") == (
        "fewer than 5"
    )


def test_public_crawler_finds_no_personal_data_on_the_figures_page(client, demo):
    secrets = _member_secrets() | _help_secrets()
    start = ["/figures/", "/en/figures/", "/vi/figures/"]
    pages = crawl_public(client, start=start, limit=len(start))
    assert set(start) <= set(pages)
    leaks = [(url, value) for url, text in pages.items() for value in secrets if value in text]
    assert leaks == []


def test_figures_are_cached_until_a_counted_record_changes(
    client, branch_a, django_assert_max_num_queries
):
    client.get("/figures/")
    with django_assert_max_num_queries(3):
        html = client.get("/en/figures/").content.decode()
    assert _value(html, "fig-visits") == "0"
    Visit.objects.create(date=date.today(), organisation=branch_a, person_times=7)
    html = client.get("/en/figures/").content.decode()
    assert _value(html, "fig-visits") == "7"


def test_home_page_links_the_figures_page(client):
    html = client.get("/").content.decode()
    assert 'href="/figures/"' in html
    assert client.get("/help/figures/").status_code == 200


REDIS_DOWN = {
    # Nothing listens on port 1: connecting is refused at once.
    "default": {
        "BACKEND": "portal.lib.rediscache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    },
}


def test_redis_down_saves_still_work_and_the_page_is_counted_afresh(client, branch_a, settings):
    with override_settings(CACHES={**REDIS_DOWN, "database": settings.CACHES["database"]}):
        Visit.objects.create(date=date.today(), organisation=branch_a, person_times=3)
        html = client.get("/en/figures/").content.decode()
    assert _value(html, "fig-visits") == "3"


def test_help_figures_page_answers_with_redis_down(client, db, settings):
    with override_settings(CACHES={**REDIS_DOWN, "database": settings.CACHES["database"]}):
        response = client.get("/en/help/figures/")
    assert response.status_code == 200
