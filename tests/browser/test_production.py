"""Public pages as `make serve` runs them: DEBUG off, hashed static files, gunicorn."""

import re

import pytest

pytestmark = pytest.mark.browser

LANGUAGES = ["zh-hans", "en", "vi"]
PREFIX = {"zh-hans": "", "en": "/en", "vi": "/vi"}  # Chinese is the default: no prefix


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_loads_its_assets_without_errors(prod_server, prod_page, language):
    reply = prod_page.goto(f"{prod_server.url}{PREFIX[language]}/")
    assert reply.status == 200
    assert prod_page.locator("html").get_attribute("lang").lower().startswith(language[:2])
    stylesheets = prod_page.evaluate(
        "[...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)"
    )
    # Hashed names from the manifest storage, not the plain development names.
    assert stylesheets and all(re.search(r"\.[0-9a-f]{12}\.css$", href) for href in stylesheets)
