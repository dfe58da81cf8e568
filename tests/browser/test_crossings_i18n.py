"""A Vietnamese driver's phone (360x740), production mode: /vi/border/, a station, the map."""

import pytest

pytestmark = pytest.mark.browser


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_vietnamese_border_page(prod_server, prod_page):
    prod_page.goto(f"{prod_server.url}/vi/border/")
    assert prod_page.locator("h1").inner_text() == "Cửa khẩu"
    no_sideways_scroll(prod_page)
    cards = prod_page.locator(".crossing-card")
    assert cards.count() == 3
    bridge = cards.filter(has_text="Cầu Bắc Luân 2")
    assert "Xe tải xếp hàng khoảng 6 giờ" in bridge.inner_text()
    assert bridge.locator(".hours-cn").inner_text() == "08:00–00:30"
    assert bridge.locator(".hours-vn").inner_text() == "07:00–23:30"
    # The fresh notice reads clearly; the nine-hour-old one is faded and says it is old.
    fresh = bridge.locator(".crossing-notice")
    assert fresh.evaluate("e => getComputedStyle(e).opacity") == "1"
    old = cards.filter(has_text="Cửa khẩu Đông Hưng").locator(".crossing-notice")
    assert float(old.evaluate("e => getComputedStyle(e).opacity")) < 0.8
    assert "Thông báo cũ" in old.inner_text()
    # Dongzhong has no translation: the Chinese, marked, with its pinyin.
    dongzhong = cards.filter(has_text="峒中口岸")
    assert dongzhong.locator('[lang="zh-Hans"]').first.inner_text() == "峒中口岸"
    assert "Dòng zhōng kǒu àn" in dongzhong.inner_text()
    for link in cards.locator("h2 a").all():
        assert link.bounding_box()["height"] >= 44


def test_vietnamese_station_page_and_its_fallback(prod_server, prod_page):
    prod_page.goto(f"{prod_server.url}/vi/stations/demo-001/")
    heading = prod_page.locator("h1").inner_text()
    assert heading.startswith(("Nhà tài xế", "Trạm", "Điểm")), heading
    no_sideways_scroll(prod_page)
    prod_page.goto(f"{prod_server.url}/vi/stations/demo-005/")
    assert prod_page.locator("h1 [lang='zh-Hans']").count() == 1
    assert prod_page.locator("h1 .pinyin").inner_text().strip()
    no_sideways_scroll(prod_page)


def test_map_draws_the_crossings_in_vietnamese(prod_server, prod_page):
    prod_page.goto(f"{prod_server.url}/vi/stations/map/")
    prod_page.wait_for_selector("[data-crossings-loaded='3']", state="attached", timeout=15000)
    markers = prod_page.locator(".marker-crossings")
    assert markers.count() == 3
