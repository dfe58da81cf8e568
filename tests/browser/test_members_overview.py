"""The officers' overview on a phone: readable, tappable, nothing wider than the screen."""

import pytest

from tests.conftest import PASSWORD
from tests.members.conftest import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_overview_on_a_phone_lists_quiet_members(live_server, phone_page, officer_a, branch_a):
    make_member(name="覃泓舟", phone="13800000001", cert="", organisation=branch_a)
    page = phone_page
    page.goto(live_server.url + "/members/overview/")
    # Anonymous visitors are sent to the login page first.
    page.fill("#id_username", officer_a.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + "/members/overview/")
    assert page.locator("h1").inner_text() == "党员信息概览"
    summary = page.locator(".members-overview summary")
    assert summary.bounding_box()["height"] >= 44
    summary.click()
    link = page.get_by_role("link", name="覃泓舟")
    assert link.is_visible()
    assert link.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
