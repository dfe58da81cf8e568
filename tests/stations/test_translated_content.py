"""Station texts in the language of the URL, with the Chinese fallback marked and romanised."""

import json
import re
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.urls import reverse
from django.utils import translation

from portal.lib.pinyin import romanise

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class _Unmarked(HTMLParser):
    """Collect the text of the page's <main> outside any lang="zh-Hans" element.

    The <title> is left out: it cannot mark a Chinese part (place names show their pinyin
    there, ``plain_name``; an untranslated event title is its Chinese, never a blank).
    """

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "area", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []
        self.in_main = 0
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        chinese = attrs.get("lang", "").lower().startswith("zh-hans") or (
            bool(self.stack) and self.stack[-1][1]
        )
        self.stack.append((tag, chinese))
        if tag == "main":
            self.in_main += 1
        if tag == "title":
            self.in_title = True

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if tag == "main":
            self.in_main -= 1
        if tag == "title":
            self.in_title = False

    def handle_data(self, data):
        marked = bool(self.stack) and self.stack[-1][1]
        if self.in_main and not marked and data.strip():
            self.chunks.append(data.strip())


def unmarked_chinese(html: str) -> list[str]:
    parser = _Unmarked()
    parser.feed(html)
    return [chunk for chunk in parser.chunks if CJK.search(chunk)]


def test_romanise_gives_tone_marked_pinyin_and_keeps_latin():
    assert romanise("东兴口岸") == "Dōng xīng kǒu àn"
    assert romanise("G228 东兴") == "G228 dōng xīng"
    assert romanise("") == ""


@pytest.fixture
def bilingual(make_station):
    return make_station(
        "东兴司机之家",
        name_en="Dongxing Driver Home",
        name_vi="Nhà tài xế Đông Hưng",
        location_note="东兴口岸旁",
        location_note_vi="Cạnh cửa khẩu Đông Hưng",
        status="temporarily_closed",
        closure_reason="内部装修",
        closure_reason_vi="Đang sửa chữa",
    )


@pytest.fixture
def chinese_only(make_station):
    return make_station("那梭司机之家", location_note="那梭村口")


def test_pinyin_is_stored_from_the_chinese_name_and_stays_editable(chinese_only):
    assert chinese_only.name_pinyin == "Nà suō sī jī zhī jiā"
    chinese_only.name_pinyin = "Nasuo Sijizhijia"
    chinese_only.save()
    chinese_only.refresh_from_db()
    assert chinese_only.name_pinyin == "Nasuo Sijizhijia"


def test_vietnamese_station_page_shows_vietnamese_texts(client, bilingual):
    with translation.override("vi"):
        url = bilingual.get_absolute_url()
    assert url.startswith("/vi/")
    html = client.get(url).content.decode()
    assert "<h1>Nhà tài xế Đông Hưng</h1>" in html
    assert "Cạnh cửa khẩu Đông Hưng" in html
    assert "Đang sửa chữa" in html
    assert unmarked_chinese(html) == []


def test_chinese_page_shows_chinese_unmarked(client, bilingual):
    html = client.get(bilingual.get_absolute_url()).content.decode()
    assert "<h1>东兴司机之家</h1>" in html
    assert '<h1><span lang="zh-Hans">' not in html


def test_missing_translation_falls_back_to_marked_chinese_with_pinyin(client, chinese_only):
    with translation.override("en"):
        url = chinese_only.get_absolute_url()
    html = client.get(url).content.decode()
    assert '<span lang="zh-Hans">那梭司机之家</span>' in html
    assert "Nà suō sī jī zhī jiā" in html
    assert '<span lang="zh-Hans">那梭村口</span>' in html
    assert unmarked_chinese(html) == []


@pytest.mark.parametrize("language", ["en", "vi"])
def test_list_and_nearby_show_the_language_of_the_url(
    client, bilingual, chinese_only, language, django_assert_max_num_queries
):
    name = {"en": "Dongxing Driver Home", "vi": "Nhà tài xế Đông Hưng"}[language]
    with translation.override(language):
        list_url = reverse("stations:list")
        nearby_url = reverse("stations:nearby") + "?lat=21.60&lng=108.35"
    for url in (list_url, nearby_url):
        html = client.get(url).content.decode()
        assert name in html, url
        assert '<span lang="zh-Hans">那梭司机之家</span>' in html, url
        assert unmarked_chinese(html) == [], url


def test_list_query_count_does_not_grow_with_translated_stations(
    client, make_station, django_assert_max_num_queries
):
    with translation.override("vi"):
        url = reverse("stations:list")
    make_station("一号站", name_vi="Trạm một")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(8):
        make_station(f"站{number}", name_vi=f"Trạm {number}" if number % 2 else "")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_feed_names_follow_lang_with_the_same_ids(client, bilingual, chinese_only):
    url = reverse("stations-feed")
    by_lang = {}
    for lang in ("zh-hans", "en", "vi"):
        body = json.loads(client.get(url, {"lang": lang}).content)
        by_lang[lang] = {f["id"]: f["properties"] for f in body["features"]}
    assert by_lang["zh-hans"].keys() == by_lang["en"].keys() == by_lang["vi"].keys()
    assert by_lang["zh-hans"][bilingual.slug]["name"] == "东兴司机之家"
    assert by_lang["vi"][bilingual.slug]["name"] == "Nhà tài xế Đông Hưng"
    assert "name_lang" not in by_lang["vi"][bilingual.slug]
    fallback = by_lang["en"][chinese_only.slug]
    assert fallback["name"] == "那梭司机之家"
    assert fallback["name_lang"] == "zh-Hans"
    assert fallback["name_pinyin"] == "Nà suō sī jī zhī jiā"
    # No lang: Chinese, whatever the browser asks for (the feed is cached publicly).
    body = json.loads(client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content)
    assert {f["properties"]["name"] for f in body["features"]} == {"东兴司机之家", "那梭司机之家"}
    assert client.get(url, {"lang": "xx"}).status_code == 400


def test_export_is_cached_per_language(client, bilingual):
    url = reverse("stations-export")
    zh = client.get(url).content.decode()
    vi = client.get(url, {"lang": "vi"}).content.decode()
    assert "东兴司机之家" in zh and "Nhà tài xế Đông Hưng" not in zh
    assert "Nhà tài xế Đông Hưng" in vi


def test_map_page_asks_the_feed_in_its_language(client, bilingual):
    with translation.override("vi"):
        url = reverse("stations:map")
    html = client.get(url).content.decode()
    assert "/stations.geojson?lang=vi" in html


def test_help_form_station_list_in_the_language_of_the_url(client, bilingual, chinese_only):
    """The help form offers the stations near the driver (its search step) by their names in
    the page's language; an untranslated one as its marked Chinese with the pinyin."""
    from helpdesk.forms.requests import HelpRequestForm

    with translation.override("vi"):
        url = reverse("helpdesk:form")
    data = {
        "token": HelpRequestForm.new_token(),
        "category": "breakdown",
        "description": "Xe hỏng",
        "phone": "138 0000 1234",
        "station_q": "",
        "latitude": "21.60",
        "longitude": "108.35",
        "find_station": "1",
    }
    html = client.post(url, data).content.decode()
    assert "Nhà tài xế Đông Hưng" in html
    assert re.search(r'<input type="radio" name="station" value="[^"]+"[^>]* lang="zh-Hans"', html)
    assert re.search(
        r'<span lang="zh-Hans">那梭司机之家</span> <span class="pinyin" lang="zh-Latn-pinyin">'
        r"Nà suō sī jī zhī jiā</span> · \d+",
        html,
    )
    # Found by the Chinese name off a sign on a Vietnamese page (every language is searched).
    data.update({"station_q": "司机之家", "latitude": "", "longitude": ""})
    html = client.post(url, data).content.decode()
    assert "Nhà tài xế Đông Hưng" in html
    assert '<span lang="zh-Hans">那梭司机之家</span>' in html


def test_admin_edits_every_language_in_one_form(client, superuser, bilingual):
    client.force_login(superuser)
    html = client.get(reverse("admin:stations_station_change", args=[bilingual.pk])).content
    html = html.decode()
    for field in ("name_zh_hans", "name_en", "name_vi", "name_pinyin", "location_note_vi"):
        assert f'name="{field}"' in html, field


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "vi"])
def test_demo_station_pages_have_no_unmarked_chinese(client, language):
    from stations import demo
    from stations.models import Station

    demo.seed(stdout=StringIO())
    stations = list(Station.objects.published().exclude(status="retired").order_by("slug"))
    fallbacks = 0
    with translation.override(language):
        urls = [s.get_absolute_url() for s in stations] + [reverse("stations:list")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert unmarked_chinese(html) == [], url
        if url.endswith("/stations/"):
            continue
        fallbacks += html.count('<h1><span lang="zh-Hans">')
    untranslated = [s for s in stations if s.slug in demo.UNTRANSLATED]
    assert untranslated
    # Exactly the stations left untranslated on purpose fall back, each with its pinyin.
    assert fallbacks == len(untranslated)
    for station in untranslated:
        html = client.get(url_in(language, station)).content.decode()
        assert station.name_pinyin in html


def url_in(language, station):
    with translation.override(language):
        return station.get_absolute_url()


def test_console_writes_the_chinese_text_from_any_language_and_drops_old_translations(
    bilingual, make_station
):
    """A station manager's console may be in Vietnamese: what they type is the Chinese text
    (required), and the translations of the old reason no longer apply."""
    from stations import services
    from stations.models import Station, StationAmenity

    with translation.override("vi"):
        services.station_close(station=bilingual, reason="停电检修")
    station = Station.objects.get(pk=bilingual.pk)
    assert (station.closure_reason_zh_hans, station.closure_reason_vi) == ("停电检修", "")
    row = StationAmenity.objects.create(station=station, amenity_id=1)
    with translation.override("en"):
        services.station_amenity_set(row=row, live_status="out_of_order", note="热水器坏了")
    row.refresh_from_db()
    assert (row.status_note_zh_hans, row.status_note_en) == ("热水器坏了", "")
