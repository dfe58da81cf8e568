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


@pytest.mark.parametrize("language", ["en", "vi"])
def test_feeds_carry_the_texts_of_their_language(client, language):
    """The GeoJSON (``lang``), RSS, Atom and iCal feeds under /en/ and /vi/ name stations,
    crossings and events in that language where the demo has it; else the Chinese (marked in
    GeoJSON with its pinyin)."""
    import json
    from xml.etree import ElementTree

    import icalendar

    from crossings.models import Crossing
    from events.ical import event_uid
    from events.models import Event
    from portal.lib.translated import column
    from stations.models import Station

    call_command("seed_demo", stdout=StringIO())

    def own(obj, field):
        return getattr(obj, column(field, language)) or getattr(obj, column(field, "zh-hans"))

    expected = {s.slug: s for s in Station.objects.all()}
    expected |= {f"crossing/{c.slug}": c for c in Crossing.objects.all()}
    checked = fallbacks = 0
    for url in ("/stations-all.geojson", "/crossings.geojson"):
        features = json.loads(client.get(url, {"lang": language}).content)["features"]
        assert features, url
        for feature in features:
            obj, props = expected[feature["id"]], feature["properties"]
            assert props["name"] == own(obj, "name"), feature["id"]
            if not getattr(obj, column("name", language)):
                fallbacks += 1
                assert props["name_lang"] == "zh-Hans" and props["name_pinyin"] == obj.name_pinyin
            checked += 1
    assert checked > 30 and fallbacks >= 3

    events = {f"urn:uuid:{e.uid}": e for e in Event.objects.all()}
    rss = ElementTree.fromstring(client.get(f"/{language}/events/feed/").content)  # noqa: S314
    items = rss.findall("./channel/item")
    assert items
    for item in items:
        event = events[item.findtext("guid")]
        assert own(event, "title") in item.findtext("title")
        if getattr(event, column("title", language)):
            assert event.title_zh_hans not in item.findtext("title")
    atom = ElementTree.fromstring(  # noqa: S314
        client.get(f"/{language}/events/feed/atom/").content
    )
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = atom.findall("a:entry", ns)
    assert len(entries) == len(items)
    for entry in entries:
        event = events[entry.findtext("a:id", namespaces=ns)]
        assert own(event, "title") in entry.findtext("a:title", namespaces=ns)
    by_uid = {event_uid(e): e for e in events.values()}
    calendar = icalendar.Calendar.from_ical(client.get(f"/{language}/events.ics").content)
    vevents = list(calendar.walk("VEVENT"))
    assert vevents
    translated = 0
    for vevent in vevents:
        event = by_uid[str(vevent["UID"])]
        assert own(event, "title") in str(vevent["SUMMARY"])
        translated += bool(getattr(event, column("title", language)))
    assert translated >= 1
