"""The public figures page on a 360x740 phone, as `make serve` runs it, in three languages."""

import pytest

pytestmark = pytest.mark.browser

PREFIX = {"zh-hans": "", "en": "/en", "vi": "/vi"}


@pytest.mark.parametrize("language", list(PREFIX))
def test_figures_page_fits_a_phone_and_runs_no_script(prod_server, prod_page, language):
    prod_page.goto(f"{prod_server.url}{PREFIX[language]}/figures/")
    assert prod_page.evaluate("document.documentElement.scrollWidth") <= 360
    charts = prod_page.locator("figure.chart svg")
    assert charts.count() == 6
    box = charts.first.bounding_box()
    assert box and 250 <= box["width"] <= 360 and box["height"] > 80
    # Each chart's accessible name is its title.
    name = prod_page.evaluate(
        """() => { const svg = document.querySelector('figure.chart svg');
        return svg.getAttribute('aria-labelledby').split(' ')
          .map(id => document.getElementById(id).textContent).join(' '); }"""
    )
    assert name.strip()
    # No chart script: the charts are drawn on the server; only the site's offline app runs.
    sources = prod_page.evaluate("[...document.scripts].map(s => s.src)")
    assert not any("chart" in source for source in sources), sources
    assert prod_page.evaluate("document.querySelectorAll('main script').length") == 0
