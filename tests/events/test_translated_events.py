"""Events in the language of the URL: pages, RSS/Atom and iCal, the same ids in every language."""

import re
from io import StringIO

import pytest
from django.urls import reverse
from django.utils import translation

from tests.stations.test_translated_content import unmarked_chinese


def url_in(language, name, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


@pytest.fixture
def events(make_event):
    translated = make_event(
        "夏送清凉活动",
        title_en="Cool drinks for drivers",
        title_vi="Nước mát cho tài xế",
        description_vi="Chè đậu xanh cho tài xế.",
    )
    chinese = make_event("读书角微党课", days=4)
    return translated, chinese


def test_vietnamese_pages_show_vietnamese_and_mark_the_rest(client, events):
    translated, chinese = events
    html = client.get(url_in("vi", "events:list")).content.decode()
    assert ">Nước mát cho tài xế</a>" in html
    assert '<span lang="zh-Hans">读书角微党课</span>' in html
    assert unmarked_chinese(html) == []
    html = client.get(url_in("vi", "events:detail", pk=translated.pk)).content.decode()
    assert "<h1>Nước mát cho tài xế</h1>" in html
    assert "Chè đậu xanh cho tài xế." in html
    assert unmarked_chinese(html) == []
    html = client.get(url_in("en", "events:detail", pk=chinese.pk)).content.decode()
    assert '<h1><span lang="zh-Hans">读书角微党课</span></h1>' in html
    assert unmarked_chinese(html) == []


def test_feeds_follow_the_url_language_with_the_same_ids(client, events):
    rss = {
        lang: client.get(url_in(lang, "events:feed")).content.decode() for lang in ("zh-hans", "vi")
    }
    assert "Nước mát cho tài xế" in rss["vi"] and "夏送清凉活动" not in rss["vi"]
    assert "夏送清凉活动" in rss["zh-hans"]
    guids = {lang: re.findall(r"<guid[^>]*>([^<]+)</guid>", body) for lang, body in rss.items()}
    assert guids["vi"] and sorted(guids["vi"]) == sorted(guids["zh-hans"])
    atom = client.get(url_in("en", "events:feed-atom")).content.decode()
    assert "Cool drinks for drivers" in atom
    ics = {
        lang: client.get(url_in(lang, "events:calendar")).content.decode()
        for lang in ("zh-hans", "vi")
    }
    assert "SUMMARY:Nước mát cho tài xế" in ics["vi"]
    uids = {lang: sorted(re.findall(r"^UID:(.+)$", body, re.M)) for lang, body in ics.items()}
    assert uids["vi"] and uids["vi"] == uids["zh-hans"]


def test_staff_form_writes_each_language_to_its_own_column_on_an_english_page(
    client, organizer, events
):
    translated, _chinese = events
    client.force_login(organizer)
    url = url_in("en", "events:staff-edit", pk=translated.pk)
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "title": "新的标题",
            "title_en": "New title",
            "title_vi": "",
            "starts_at": translated.starts_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            "ends_at": translated.ends_at.astimezone().strftime("%Y-%m-%d %H:%M"),
            "published": "on",
            "organisation": translated.organisation_id,
            "station": "",
        }
    )
    data = {k: v for k, v in data.items() if k not in ("cover_upload", "remove_cover")}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    translated.refresh_from_db()
    assert (translated.title_zh_hans, translated.title_en, translated.title_vi) == (
        "新的标题",
        "New title",
        "",
    )


@pytest.mark.parametrize("language", ["en", "vi"])
def test_demo_event_pages_fall_back_only_where_left_untranslated(client, db, language):
    from events import demo
    from events.models import Event

    demo.seed(stdout=StringIO())
    fallbacks = 0
    for event in Event.objects.all():
        html = client.get(url_in(language, "events:detail", pk=event.pk)).content.decode()
        fallbacks += html.count('<h1><span lang="zh-Hans">')
    assert fallbacks == 1  # "司机之家读书角微党课", left Chinese on purpose
