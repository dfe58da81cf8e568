"""Border crossings: hours on both clocks, notices with their age, the feed and the map layer."""

import json
from datetime import datetime, time, timedelta
from io import StringIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from crossings.models import Crossing, CrossingNotice, vietnam_time
from tests.stations.test_translated_content import unmarked_chinese

NOON = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


@pytest.fixture
def bridge(db):
    return Crossing.objects.create(
        name="北仑河二桥",
        name_en="Beilun Bridge 2",
        name_vi="Cầu Bắc Luân 2",
        slug="bridge",
        latitude=21.54,
        longitude=107.99,
        opens=time(8, 0),
        closes=time(0, 30),
        handles_people=False,
    )


@pytest.fixture
def dongzhong(db):
    return Crossing.objects.create(
        name="峒中口岸", slug="dongzhong", latitude=21.66, longitude=107.7
    )


def url_in(language, name, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def test_vietnam_clock_is_one_hour_behind_across_midnight():
    assert vietnam_time(time(8, 0)) == time(7, 0)
    assert vietnam_time(time(0, 30)) == time(23, 30)
    assert vietnam_time(time(0, 0)) == time(23, 0)


def test_hours_shown_for_both_sides(client, bridge):
    html = client.get(url_in("vi", "crossings:detail", slug="bridge")).content.decode()
    assert '<dd class="hours-cn">08:00–00:30</dd>' in html
    assert '<dd class="hours-vn">07:00–23:30</dd>' in html


@time_machine.travel(NOON, tick=False)
def test_old_notice_is_marked_old_and_a_fresh_one_is_not(client, bridge, settings):
    settings.CROSSING_NOTICE_STALE_MINUTES = 120
    CrossingNotice.objects.create(
        crossing=bridge,
        text="货车排队约6小时",
        text_vi="Xe tải xếp hàng khoảng 6 giờ",
        posted_at=NOON - timedelta(minutes=30),
    )
    html = client.get(url_in("vi", "crossings:list")).content.decode()
    assert "Xe tải xếp hàng khoảng 6 giờ" in html
    assert "notice-stale" not in html
    assert "30 phút trước" in html
    # Two hours on (a nested travel that ends with its block: a started one never would).
    with time_machine.travel(NOON + timedelta(hours=2), tick=False):
        html = client.get(url_in("vi", "crossings:list")).content.decode()
    assert 'class="crossing-notice notice-stale"' in html
    assert "notice-old" in html


def test_untranslated_crossing_and_notice_fall_back_to_marked_chinese(client, dongzhong):
    CrossingNotice.objects.create(crossing=dongzhong, text="通关正常")
    html = client.get(url_in("en", "crossings:detail", slug="dongzhong")).content.decode()
    assert '<span lang="zh-Hans">峒中口岸</span>' in html
    assert "Dòng zhōng kǒu àn" in html
    assert '<span lang="zh-Hans">通关正常</span>' in html
    assert unmarked_chinese(html) == []


def test_feed_per_language_with_stable_ids(client, bridge, dongzhong):
    CrossingNotice.objects.create(crossing=bridge, text="排队", text_en="Queue")
    bodies = {
        lang: json.loads(client.get("/crossings.geojson", {"lang": lang}).content)
        for lang in ("zh-hans", "en", "vi")
    }
    ids = [[f["id"] for f in body["features"]] for body in bodies.values()]
    assert ids[0] == ids[1] == ids[2] == ["crossing/bridge", "crossing/dongzhong"]
    en = {f["id"]: f["properties"] for f in bodies["en"]["features"]}
    assert en["crossing/bridge"]["name"] == "Beilun Bridge 2"
    assert en["crossing/bridge"]["notice"]["text"] == "Queue"
    assert en["crossing/bridge"]["notice"]["stale"] is False
    assert en["crossing/dongzhong"]["name_lang"] == "zh-Hans"
    vi = {f["id"]: f["properties"] for f in bodies["vi"]["features"]}
    assert vi["crossing/bridge"]["notice"] == {**vi["crossing/bridge"]["notice"], "lang": "zh-Hans"}
    assert client.get("/crossings.geojson", {"lang": "fr"}).status_code == 400


def test_station_map_draws_the_crossings_layer_in_its_language(client, bridge):
    html = client.get(url_in("vi", "stations:map")).content.decode()
    assert "/crossings.geojson?lang=vi" in html


def test_list_and_feed_queries_stay_constant(client, bridge):
    url = url_in("vi", "crossings:list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
        client.get("/crossings.geojson", {"lang": "vi"})
    for number in range(6):
        crossing = Crossing.objects.create(
            name=f"口岸{number}", slug=f"c{number}", latitude=21.5, longitude=108.0
        )
        CrossingNotice.objects.create(crossing=crossing, text="正常", text_vi="Bình thường")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
        client.get("/crossings.geojson", {"lang": "vi"})
    assert len(many) == len(few)


def test_staff_posts_a_notice_in_several_languages_from_a_phone(client, station_manager, bridge):
    url = url_in("vi", "crossings:notice", slug="bridge")
    client.force_login(station_manager)
    response = client.post(url, {"text_zh_hans": "闭关至08:00", "text_vi": "Đóng đến 08:00"})
    assert response.status_code == 302
    notice = CrossingNotice.objects.get()
    assert (notice.text_zh_hans, notice.text_vi, notice.text_en) == (
        "闭关至08:00",
        "Đóng đến 08:00",
        "",
    )
    assert notice.posted_by == station_manager
    # Chinese is required: nothing is stored without it.
    response = client.post(url, {"text_vi": "Chỉ tiếng Việt"})
    assert response.status_code == 200
    assert CrossingNotice.objects.count() == 1
    # Posted from a Vietnamese page without Vietnamese: the Vietnamese column stays empty.
    client.post(url, {"text_zh_hans": "正常通关"})
    latest = CrossingNotice.objects.order_by("-pk").first()
    assert (latest.text_zh_hans, latest.text_vi) == ("正常通关", "")


def test_notice_form_is_refused_to_others(client, organizer, bridge):
    url = url_in("zh-hans", "crossings:notice", slug="bridge")
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(organizer)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("language", ["en", "vi"])
def test_demo_crossings_pages_have_no_unmarked_chinese(client, db, language):
    from crossings import demo

    demo.seed(stdout=StringIO())
    urls = [url_in(language, "crossings:list")] + [
        url_in(language, "crossings:detail", slug=c.slug) for c in Crossing.objects.all()
    ]
    fallbacks = 0
    for url in urls:
        html = client.get(url).content.decode()
        assert unmarked_chinese(html) == [], url
        fallbacks += html.count('<h1><span lang="zh-Hans">')
    assert fallbacks == 1  # Dongzhong, left Chinese on purpose


def test_a_crossing_write_starts_a_new_public_data_version(
    bridge, settings, django_capture_on_commit_callbacks
):
    """Crossings are public data (the home page, the map): the page cache sees their writes."""
    from django.core.cache import cache

    from portal.lib import dataversion

    settings.PAGE_CACHE = True
    cache.clear()
    before = dataversion.current()
    with django_capture_on_commit_callbacks(execute=True):
        CrossingNotice.objects.create(crossing=bridge, text="货车排队约2小时")
    assert dataversion.current() != before


def test_pinyin_is_filled_on_a_save_that_names_its_fields(dongzhong):
    Crossing.objects.filter(pk=dongzhong.pk).update(name_pinyin="")
    dongzhong.refresh_from_db()
    dongzhong.name_zh_hans = "峒中口岸（新）"
    dongzhong.save(update_fields=["name_zh_hans"])
    dongzhong.refresh_from_db()
    assert dongzhong.name_pinyin.startswith("Dòng zhōng")
