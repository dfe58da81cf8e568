"""A driver on a phone asks for help and reads the tracking code."""

import re

import pytest
from django.core.cache import cache

from helpdesk.models import HelpRequest

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
    page.click("#send-help")
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


def test_use_my_location_rounds_to_three_decimals(live_server, phone_page, settings):
    settings.HELP_MIN_FILL_SECONDS = 0
    cache.clear()
    page = phone_page
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 21.612345, "longitude": 108.354999})
    page.goto(f"{live_server.url}/help/")
    page.click("#use-location")
    page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert page.input_value("#id_latitude") == "21.612"
    assert page.input_value("#id_longitude") == "108.355"
    page.check("input[name=category][value=breakdown]")
    page.fill("#id_description", "刹车失灵")
    page.fill("#id_phone", "13800004321")
    page.click("#send-help")
    page.locator("#tracking-code").wait_for()
    stored = HelpRequest.objects.get()
    assert (str(stored.latitude), str(stored.longitude)) == ("21.612", "108.355")


def test_enter_in_the_phone_field_sends_the_form(live_server, phone_page, settings):
    settings.HELP_MIN_FILL_SECONDS = 0
    cache.clear()
    page = phone_page
    page.goto(f"{live_server.url}/en/help/")
    page.check("input[name=category][value=breakdown]")
    page.fill("#id_description", "Flat tyre")
    page.fill("#id_location_text", "G228 km 40")
    page.fill("#id_phone", "138 0000 4321")
    page.press("#id_phone", "Enter")
    page.locator("#tracking-code").wait_for()
    assert HelpRequest.objects.count() == 1
