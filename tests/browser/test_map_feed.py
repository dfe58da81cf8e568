"""The station map asks the feed for what it shows, on the production-mode server at 360x740.

The first view's answer is the one the page announced (preloaded); a move to a part of the
map not seen yet asks for that part only, and a move back asks for nothing.
"""

import re
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser

# The stations' markers and clusters (the border crossings' layer is drawn whole, apart).
STATION_MARKERS = "#stations-map .leaflet-marker-icon:not(.marker-crossings)"


def _markers(page):
    """The titles of the markers on the map: station names and cluster labels."""
    return set(
        page.locator(STATION_MARKERS).evaluate_all(
            "(nodes) => nodes.map((node) => node.title || node.alt)"
        )
    )


def _in_map(page):
    """Every marker's anchor lies in the map or the quarter-map margin drawn around it."""
    return page.evaluate(
        """() => {
          const box = document.getElementById("stations-map").getBoundingClientRect();
          const markers = "#stations-map .leaflet-marker-icon:not(.marker-crossings)";
          return [...document.querySelectorAll(markers)].every((m) => {
            const r = m.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.bottom;
            const dx = box.width * 0.25 + 25, dy = box.height * 0.25 + 45;
            return x > box.left - dx && x < box.right + dx
              && y > box.top - dy && y < box.bottom + dy;
          });
        }"""
    )


def _settled(page):
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(400)  # the move's debounce (200 ms), then the redraw


def test_map_shows_its_view_and_loads_more_after_panning(prod_server, prod_page):
    page = prod_page
    asked = []
    page.on(
        "request",
        lambda request: "/stations.geojson" in request.url and asked.append(request.url),
    )
    page.goto(f"{prod_server.url}/en/stations/map/")
    page.wait_for_selector("#map-count[data-count]")
    _settled(page)
    # One request for the first view: the one the page announced, by box and zoom.
    preload = page.locator('link[rel="preload"][href*="stations.geojson"]').get_attribute("href")
    assert [urlparse(url).path + "?" + urlparse(url).query for url in asked] == [preload]
    query = parse_qs(urlparse(asked[0]).query)
    # The feed is outside the language prefix: the English map asks for English names.
    assert set(query) == {"bbox", "zoom", "lang"} and query["lang"] == ["en"]
    first = _markers(page)
    assert first and _in_map(page)
    assert int(page.locator("#map-count").get_attribute("data-count")) > 0

    # Closer in on the first cluster: its stations, asked for at the new zoom.
    page.locator(".marker-cluster").first.click()
    _settled(page)
    zoomed = _markers(page)
    assert zoomed != first and _in_map(page)
    asked_before_panning = len(asked)

    # Pan east with the keyboard until the map has asked for a part it had not seen.
    page.locator("#stations-map").focus()
    presses = 0
    while presses < 24 and len(asked) == asked_before_panning:
        page.keyboard.press("ArrowRight")
        presses += 1
        page.wait_for_timeout(120)
    _settled(page)
    assert len(asked) > asked_before_panning, "panning asked for nothing"
    boxes = {parse_qs(urlparse(url).query)["bbox"][0] for url in asked}
    assert len(boxes) == len(asked), "a part of the map was asked for twice"
    panned = _markers(page)
    assert panned and _in_map(page)
    assert panned != zoomed
    # Every answer was bounded to its box.
    for url in asked:
        west, south, east, north = map(float, parse_qs(urlparse(url).query)["bbox"][0].split(","))
        assert east - west < 10 and north - south < 10

    # Back where it was: already held, nothing asked.
    asked_after_panning = len(asked)
    for _ in range(presses):
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(60)
    _settled(page)
    assert len(asked) == asked_after_panning
    assert re.fullmatch(r"\d+", page.locator("#map-count").get_attribute("data-count"))
