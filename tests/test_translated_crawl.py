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
        # tag, marked Chinese, hidden, a value to copy (the Chinese address, on purpose)
        self.stack: list[tuple[str, bool, bool, bool]] = []
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
        parent_copy = bool(self.stack) and self.stack[-1][3]
        marked = lang.startswith("zh-hans") or (parent_marked and not lang)
        copy = parent_copy or "copy-value" in (dict(attrs).get("class") or "").split()
        self.stack.append((tag, marked, parent_hidden or tag in HIDDEN, copy))

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
            if not self.stack[-1][3]:
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


def _demo_texts(language):
    """The Chinese texts of every translated field in the demo, split into those without
    ``language``'s text ({text: the pinyin of a place name, else ""}) and those with one."""
    from modeltranslation.translator import translator

    from portal.lib.translated import column

    untranslated: dict[str, str] = {}
    translated: set[str] = set()
    for model in translator.get_registered_models():
        fields = translator.get_options_for_model(model).fields
        for obj in model._base_manager.all():
            for field in fields:
                chinese = getattr(obj, column(field, "zh-hans")) or ""
                if not chinese:
                    continue
                if getattr(obj, column(field, language)):
                    translated.add(chinese)
                else:
                    untranslated[chinese] = getattr(obj, f"{field}_pinyin", "") or ""
    return untranslated, translated - set(untranslated)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_fallbacks_are_exactly_the_demo_untranslated_texts(client, language):
    """Every text the demo left untranslated shows as its marked Chinese (a place name with
    its pinyin right after it), and no translated text ever shows in Chinese: the number of
    distinct fallbacks is the number of untranslated demo fields."""
    call_command("seed_demo", stdout=StringIO())
    pages = _language_pages(client, language)
    untranslated, translated = _demo_texts(language)
    assert len(untranslated) >= 10  # the three stations, the crossing, its notice, the event
    shown: dict[str, list[tuple[str, str]]] = {}
    for url, html in pages.items():
        if not html.lstrip().startswith("<!doctype"):
            continue
        for text, after in visible(html).marked:
            shown.setdefault(text, []).append((url, after))
    assert sorted(set(shown) & translated) == []
    fallbacks = set(shown) & set(untranslated)
    assert len(fallbacks) == len(untranslated), sorted(set(untranslated) - fallbacks)
    missing_pinyin = [
        (text, url, after)
        for text, pinyin in untranslated.items()
        if pinyin
        for url, after in shown[text]
        if not after.lstrip("(").startswith(pinyin)
    ]
    assert missing_pinyin == []
