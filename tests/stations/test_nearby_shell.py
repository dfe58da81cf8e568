"""The nearby page from its cached shell (stations/shell.py): the same bytes as a full
render, for every driver's own position, and never a position in the cache."""

import base64
import pickle
import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from portal.lib import dataversion
from stations import shell
from stations.models import Amenity

NEARBY = reverse("stations:nearby")
MOMENT = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)  # 11:00 local time


pytestmark = pytest.mark.usefixtures("page_cache_on")


@pytest.fixture
def stations(make_station):
    make_station("港口站", latitude=21.581, longitude=108.362, amenities=["showers"])
    make_station("东兴站", latitude=21.545, longitude=107.975)
    make_station("江山站", latitude=21.52, longitude=108.22, amenities=["showers", "dining"])


def _full_render(client, url, settings) -> str:
    """The page as rendered with no cache at all (the path the unit tests take)."""
    settings.PAGE_CACHE = False
    try:
        return client.get(url).content.decode()
    finally:
        settings.PAGE_CACHE = True


QUERIES = [
    "?lat=21.581&lng=108.362",
    "?lat=21.6&lng=108.3&amenity=showers",
    "?lng=108.25&lat=21.55&open_now=on&q=%E7%AB%99",
    "?place=dongxing&lat=&lng=",
    "?lat=-21.5&lng=108",
]


@pytest.mark.parametrize("prefix", ["", "/en", "/vi"])
@pytest.mark.parametrize("query", QUERIES)
def test_a_filled_shell_is_the_page_a_full_render_gives(client, stations, settings, prefix, query):
    url = prefix + NEARBY + query
    with time_machine.travel(MOMENT, tick=False):
        expected = _full_render(client, url, settings)
        first = client.get(url).content.decode()
        second = client.get(url).content.decode()
    assert first == expected
    assert second == expected


def test_the_second_request_fills_the_stored_shell_without_rendering_it(
    client, stations, monkeypatch
):
    with time_machine.travel(MOMENT, tick=False):
        page = client.get(NEARBY + "?lat=21.581&lng=108.362").content.decode()
        rendered = []
        real = shell.render
        monkeypatch.setattr(shell, "render", lambda *a: rendered.append(a) or real(*a))
        # Another driver, elsewhere, with the same filters: the same shell, their own place.
        other = client.get(NEARBY + "?lat=21.52&lng=108.22").content.decode()
    assert rendered == []
    assert 'name="lat" id="id_lat" value="21.52"' in other
    assert 'name="lng" id="id_lng" value="108.22"' in other
    assert "lat=21.52&amp;lng=108.22" in other  # the language links keep the place
    assert "21.581" not in other and "21.581" in page
    # Nearest first from where this driver is.
    assert other.index("江山站") < other.index("港口站")


def test_no_position_is_kept_in_the_cache(client, stations):
    with time_machine.travel(MOMENT, tick=False):
        client.get(NEARBY + "?lat=21.5871&lng=108.3599")
    # Everything the database cache holds, keys and values.
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM portal_cache")
        rows = cursor.fetchall()
    stored = [(key, pickle.loads(base64.b64decode(value))) for key, value in rows]  # noqa: S301
    shells = [entry for key, entry in stored if "nearby-shell" in key]
    assert len(shells) == 1
    assert shell.LAT in shells[0]["html"] and shell.RESULTS in shells[0]["html"]
    for key, entry in stored:
        for text in (key, str(entry)):
            assert "21.5871" not in text and "108.3599" not in text


def _request(url):
    from django.test import RequestFactory
    from django.utils import translation

    request = RequestFactory().get(url)
    request.LANGUAGE_CODE = translation.get_language()
    return request


def test_a_write_renders_the_shell_again(client, stations, django_capture_on_commit_callbacks):
    url = NEARBY + "?lat=21.581&lng=108.362"
    with time_machine.travel(MOMENT, tick=False):
        client.get(url)
        with django_capture_on_commit_callbacks(execute=True):
            Amenity.objects.create(
                code="laundry", name_zh_hans="洗衣房", name_en="Laundry", name_vi="Giặt đồ"
            )
        page = client.get(url).content.decode()
    # The amenity filter's boxes come from the shell: the new one is there at once.
    assert 'value="laundry"' in page


@pytest.mark.parametrize(
    "query",
    [
        "?lat=21.581%20&lng=108.362",  # not a plain decimal
        "?lat=21.581&lat=21.6&lng=108.362",  # twice
        f"?lat=21.581&lng=108.362&q={shell.LAT}",  # the stand-in itself
        "?lat=21.581&lng=108.362&q=%EE%80%80results%EE%80%80",  # the results marker
    ],
)
def test_odd_queries_are_rendered_in_full(client, stations, settings, query):
    url = NEARBY + query
    assert shell.key_for(_request(url)) is None
    with time_machine.travel(MOMENT, tick=False):
        expected = _full_render(client, url, settings)
        assert client.get(url).content.decode() == expected


def test_staff_and_visitors_with_a_notice_get_a_full_render(
    client, stations, superuser, monkeypatch
):
    url = NEARBY + "?lat=21.581&lng=108.362"
    staff = Client()
    staff.force_login(superuser)
    filled = []
    real = shell.fill
    monkeypatch.setattr(shell, "fill", lambda *a: filled.append(a) or real(*a))
    with time_machine.travel(MOMENT, tick=False):
        client.get(url)  # an anonymous visitor stores the shell
        assert len(filled) == 1
        staff.get(url)
    assert len(filled) == 1
    assert shell.key_for(_request(url)) is not None
    request = _request(url)
    request.COOKIES["messages"] = "x"
    assert shell.key_for(request) is None


def test_a_cache_that_does_not_answer_still_serves_the_page(
    client, stations, settings, monkeypatch
):
    url = NEARBY + "?lat=21.581&lng=108.362"
    with time_machine.travel(MOMENT, tick=False):
        expected = _full_render(client, url, settings)
        monkeypatch.setattr(dataversion, "current", lambda: None)
        monkeypatch.setattr(cache, "get_many", lambda keys: (_ for _ in ()).throw(OSError()))
        assert client.get(url).content.decode() == expected


def test_a_shell_holding_a_visitors_secret_is_never_stored(client, stations, settings, tmp_path):
    """Were the page ever to carry a CSRF token, its shell would hand one visitor's token to
    the next: it is rendered in full instead, and nothing is stored."""
    template_dir = tmp_path / "templates" / "stations"
    template_dir.mkdir(parents=True)
    nearby = (settings.BASE_DIR / "templates" / "stations" / "nearby.html").read_text()
    (template_dir / "nearby.html").write_text(
        nearby.replace("{% block content %}", "{% block content %}{% csrf_token %}", 1)
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    url = NEARBY + "?lat=21.581&lng=108.362"
    with time_machine.travel(MOMENT, tick=False):
        first = client.get(url).content.decode()
        second = client.get(url).content.decode()
        assert cache.get(shell.key_for(_request(url))) is None
    assert "csrfmiddlewaretoken" in first
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(first) and token.search(second)


def test_a_page_whose_cards_are_cached_builds_no_station(client, stations):
    """Nearby's hits build a station from its row only for a card the cache lacks."""
    from django.db.models.signals import post_init

    from stations.models import Station

    built = []

    def count(sender, instance, **kwargs):
        built.append(instance.pk)

    url = NEARBY + "?lat=21.581&lng=108.362"
    post_init.connect(count, sender=Station)
    try:
        with time_machine.travel(MOMENT, tick=False):
            first = client.get(url).content.decode()
            on_first = len(built)
            built.clear()
            second = client.get(url).content.decode()
    finally:
        post_init.disconnect(count, sender=Station)
    assert on_first >= 3  # every card rendered: each station built
    assert built == []
    assert second == first
