"""The home page in a phone-sized Chromium."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_on_a_phone_switches_language_and_offers_the_emergency_line(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "防城港司机之家"
    emergency = page.locator("#emergency-line")
    assert emergency.get_attribute("href") == "tel:077012345"
    assert emergency.is_visible()
    box = emergency.bounding_box()
    assert box["height"] >= 44
    page.get_by_role("link", name="Tiếng Việt").click()
    page.wait_for_url(live_server.url + "/vi/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Cứu hộ khẩn cấp 24 giờ" in page.locator("#emergency-line").inner_text()
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
