"""Admin, figures, the station link and the retention purge."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.roles import HELP_HANDLERS
from helpdesk.figures import help_figures
from helpdesk.models import HelpRequest
from helpdesk.services import requests as services

from .helpers import make_request, make_station

pytestmark = pytest.mark.django_db


def test_admin_list_uses_the_gatekeeper_and_masks(
    client, desk, make_user, branch_a, branch_b, dispatcher
):
    mine, other = make_request(phone="13800007777"), make_request()
    services.help_request_transfer(request=mine, actor=dispatcher, organisation=branch_a)
    services.help_request_transfer(request=other, actor=dispatcher, organisation=branch_b)
    handler = make_user("handler_a", HELP_HANDLERS, [branch_a])
    client.force_login(handler)
    html = client.get(reverse("admin:helpdesk_helprequest_changelist")).content.decode()
    assert mine.display_code in html and other.display_code not in html
    assert "13800007777" not in html and "138****7777" in html
    assert (
        client.get(reverse("admin:helpdesk_helprequest_change", args=[other.pk])).status_code == 404
    )
    assert client.get(reverse("admin:helpdesk_helprequest_change", args=[99999])).status_code == 404
    html = client.get(reverse("admin:helpdesk_helprequest_change", args=[mine.pk])).content.decode()
    assert mine.display_code in html and "13800007777" not in html
    client.force_login(desk)
    html = client.get(reverse("admin:helpdesk_helprequest_changelist")).content.decode()
    assert other.display_code in html


def test_figures_are_computed_from_records(dispatcher, committee):
    one, two, legal = make_request(), make_request(), make_request(category="legal")
    for req, satisfied in ((one, True), (two, False)):
        services.help_request_transfer(request=req, actor=dispatcher, organisation=committee)
        services.help_request_start(request=req, actor=dispatcher)
        services.help_request_resolve(request=req, actor=dispatcher, what_was_done="done")
        services.help_request_follow_up(
            request=req, actor=dispatcher, satisfied=satisfied, note="n"
        )
    figures = help_figures()
    assert figures["received"] == 3
    assert figures["solved"] == 2
    assert figures["followed_up_percent"] == 100
    assert figures["satisfied_percent"] == 50
    assert figures["legal_consultations"] == 1
    assert figures["by_month"][0]["received"] == 3
    assert legal.pk


def test_figures_page_renders(client, dispatcher, committee):
    make_request()
    html = client.get(reverse("helpdesk:figures")).content.decode()
    assert "<h1>" in html and "13800001234" not in html


def test_station_page_links_to_the_prefilled_form(client):
    station = make_station("port-yard")
    html = client.get(station.get_absolute_url()).content.decode()
    assert reverse("helpdesk:form") + "?station=port-yard" in html


def test_purge_deletes_only_old_finished_requests(dispatcher):
    old_done, old_open, fresh_done = make_request(), make_request(), make_request()
    for req in (old_done, fresh_done):
        services.help_request_withdraw(request=req, actor=dispatcher, reason="fixed")
    long_ago = timezone.now() - timedelta(days=800)
    HelpRequest.objects.filter(pk__in=[old_done.pk, old_open.pk]).update(updated_at=long_ago)
    call_command("purge_help_requests")
    assert set(HelpRequest.objects.values_list("pk", flat=True)) == {old_open.pk, fresh_done.pk}
