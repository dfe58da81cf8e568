"""Page weight budgets: text pages <= 15 KB compressed, the map page <= 100 KB (no tiles)."""

import gzip
import re
from io import StringIO

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from stations.models import Station

TEXT_BUDGET = 15 * 1024
MAP_BUDGET = 100 * 1024
# The only scripts a text page may load: the offline app's (service worker registration,
# help outbox, WeChat's copy buttons; see docs/offline.md). They count in the budget.
OFFLINE_SCRIPTS = {"js/sw-register.js", "js/help-outbox.js", "js/wechat.js"}


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def assets(html: str) -> list[str]:
    """The stylesheets and scripts a page loads, as static paths."""
    urls = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    urls += re.findall(r'<script[^>]* src="([^"]+)"', html)
    return [url.removeprefix("/static/") for url in urls]


def weigh(client, url, *, leave_out=()) -> tuple[int, dict]:
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    sizes = {"html": gz(response.content)}
    for path in assets(html):
        if any(part in path for part in leave_out):
            continue
        found = finders.find(path)
        assert found, path
        with open(found, "rb") as handle:
            sizes[path] = gz(handle.read())
    return sum(sizes.values()), sizes


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())


@pytest.mark.parametrize("language", ["", "/en", "/vi"])
def test_text_pages_weigh_at_most_15_kb_compressed(client, demo, language):
    station = Station.objects.published().first()
    pages = [
        language + "/stations/",
        language + "/stations/nearby/?lat=21.581&lng=108.362",
        f"{language}/stations/{station.slug}/",
    ]
    for url in pages:
        # The station page's small map (Leaflet and its starter) is not part of the budget.
        total, sizes = weigh(client, url, leave_out=("leaflet", "station-minimap"))
        print(url, total, sizes)
        assert total <= TEXT_BUDGET, (url, sizes)
        scripts = {path for path in sizes if path.endswith(".js") and "nearby" not in path}
        assert scripts <= OFFLINE_SCRIPTS, sizes


def test_map_page_weighs_at_most_100_kb_compressed_without_tiles(client, demo):
    total, sizes = weigh(client, reverse("stations:map"))
    feed = client.get(reverse("stations-feed")).content
    sizes["stations.geojson"] = gz(feed)
    for image in ("leaflet/images/marker-icon.png", "leaflet/images/marker-shadow.png"):
        with open(finders.find(image), "rb") as handle:
            sizes[image] = len(handle.read())
    total = sum(sizes.values())
    assert "leaflet/leaflet.js" in sizes
    print("map", total, sizes)
    assert total <= MAP_BUDGET, sizes
