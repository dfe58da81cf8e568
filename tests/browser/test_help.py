"""A driver on a phone asks for help and reads the tracking code."""

import re

import pytest
from django.core.cache import cache

from care.models import HelpRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_driver_sends_help_request_on_phone(live_server, phone_page, settings):
    settings.HELP_MIN_FILL_SECONDS = 0
    cache.clear()
    page = phone_page
    page.goto(f"{live_server.url}/en/help/")
    assert page.locator("a[href^='tel:']").first.is_visible()
    page.check("input[name=category][value=breakdown]")
    page.fill("#id_description", "Gearbox failed on the coast road")
    page.fill("#id_phone", "138 0000 4321")
    page.fill("#id_location_text", "G228 near Qisha")
    page.click("button[type=submit]")
    code = page.locator("#tracking-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    stored = HelpRequest.objects.get()
    assert stored.display_code == code and stored.phone == "13800004321"
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/en/help/track/")
    page.fill("#id_code", code)
    page.fill("#id_last4", "4321")
    page.click("button[type=submit]")
    assert page.locator(".timeline li").count() == 1
