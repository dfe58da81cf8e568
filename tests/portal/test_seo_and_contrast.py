"""Search engines get absolute alternates for every language; badges stay readable."""

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


@pytest.mark.parametrize("prefix", ["", "/en", "/vi"])
def test_pages_list_absolute_alternates_and_x_default(client, prefix):
    html = client.get(f"{prefix}/stations/?route=G228").content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert alternates == {
        "zh-hans": "http://testserver/stations/?route=G228",
        "en": "http://testserver/en/stations/?route=G228",
        "vi": "http://testserver/vi/stations/?route=G228",
        "x-default": "http://testserver/stations/?route=G228",
    }


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_badge_colour_reaches_4_5_to_1_on_page_and_card():
    variables = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6});", CSS.read_text()))
    # "Open now", "Closed now", "Postponed", "Temporarily closed", "urgent"...: badges are
    # drawn in these colours on the tinted page and on white cards.
    for name in ("ok", "warn", "danger", "muted", "link"):
        for background in ("tint", "paper"):
            ratio = _contrast(variables[name], variables[background])
            assert ratio >= 4.5, f"--{name} on --{background}: {ratio:.2f}:1"
