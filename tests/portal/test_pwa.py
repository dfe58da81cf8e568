"""The offline app: service worker, web app manifest, offline page (browser side in
tests/browser/test_offline.py)."""

import io
import json
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation
from PIL import Image

from portal import pwa


def _config(body: str) -> dict:
    found = re.search(r"self\.DRIVERHOME_SW = (\{.*\});\n", body)
    assert found, body
    return json.loads(found.group(1))


def test_service_worker_is_served_from_the_root_and_never_kept(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
    # One worker for every language: no /en/sw.js.
    assert client.get("/en/sw.js").status_code == 404


def test_service_worker_imports_workbox_and_its_logic_from_static_files(client, db):
    body = client.get("/sw.js").content.decode()
    imports = re.search(r"importScripts\((.*)\);", body).group(1)
    urls = json.loads(f"[{imports}]")
    assert urls[0].endswith("workbox-core.prod.js")
    assert urls[-1].endswith("js/sw-main.js")
    for url in urls:
        assert url.startswith(settings.STATIC_URL)
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url


def test_precache_lists_the_shell_and_the_offline_pages_but_no_staff_assets(client, db):
    config = _config(client.get("/sw.js").content.decode())
    urls = [entry["url"] for entry in config["precache"]]
    for needed in [
        "css/site.css",
        "css/offline.css",
        "js/sw-register.js",
        "js/help-outbox.js",
        "js/offline-page.js",
        "icons/icon-192.png",
        "leaflet/leaflet.js",
    ]:
        assert settings.STATIC_URL + needed in urls, needed
    assert {"/offline/", "/en/offline/", "/vi/offline/"} <= set(urls)
    assert config["offline"] == {"zh-hans": "/offline/", "en": "/en/offline/", "vi": "/vi/offline/"}
    assert not [url for url in urls if "admin" in url or "location-picker" in url]
    # Plain storage (development): the content's digest stands for the missing hash.
    assert all(entry["revision"] for entry in config["precache"])


def test_cached_pages_are_the_drivers_pages_only(client, db):
    pattern = re.compile(_config(client.get("/sw.js").content.decode())["pages"])
    for path in ["/vi/stations/", "/stations/port-home/", "/en/help/", "/help/"]:
        assert pattern.match(path), path
    # The home page is not kept: the offline page stands in for it.
    for path in ["/", "/en/", "/staff/help/", "/en/admin/", "/members/", "/help/sent/"]:
        assert not pattern.match(path), path


def test_worker_patterns_match_the_real_urls_in_every_language(client, db):
    config = _config(client.get("/sw.js").content.decode())
    pages, help_form = re.compile(config["pages"]), re.compile(config["helpForm"])
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            form = reverse("helpdesk:form")
            assert help_form.match(form)
            assert pages.match(form)
            assert pages.match(reverse("stations:list"))
            assert pages.match(reverse("stations:detail", kwargs={"slug": "demo-001"}))
            assert not help_form.match(reverse("helpdesk:track"))
    assert config["helpMinFillSeconds"] == settings.HELP_MIN_FILL_SECONDS


def test_version_changes_with_any_precached_file(client, db, monkeypatch):
    before = _config(client.get("/sw.js").content.decode())["version"]
    real = pwa._static_entries

    def changed():
        entries = real()
        entries[0] = {**entries[0], "revision": "0" * 16}
        return entries

    monkeypatch.setattr(pwa, "_static_entries", changed)
    after = _config(client.get("/sw.js").content.decode())["version"]
    assert re.fullmatch(r"[0-9a-f]{12}", before)
    assert after != before


def test_hashed_storage_lists_hashed_urls_without_revisions(monkeypatch):
    class FakeManifestStorage(pwa.ManifestFilesMixin):
        def __init__(self):
            pass

        def url(self, name):
            stem, dot, ext = name.rpartition(".")
            return f"/static/{stem}.0123abcd.{ext}"

    monkeypatch.setattr(pwa, "staticfiles_storage", FakeManifestStorage())
    entries = pwa._static_entries()
    assert entries
    assert all(entry["revision"] is None for entry in entries)
    assert all(".0123abcd." in entry["url"] for entry in entries)


@pytest.mark.parametrize("prefix,lang", [("", "zh-hans"), ("/en", "en"), ("/vi", "vi")])
def test_manifest_names_the_app_in_the_pages_language(client, db, prefix, lang):
    response = client.get(f"{prefix}/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["lang"] == lang
    assert manifest["start_url"] == f"{prefix}/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    if lang == "zh-hans":
        assert manifest["name"] == "防城港司机之家"
    purposes = {icon.get("purpose", "any") for icon in manifest["icons"]}
    assert purposes == {"any", "maskable"}


def test_manifest_icons_are_pngs_of_the_sizes_they_claim(client, db):
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
        with Image.open(io.BytesIO(open(path, "rb").read())) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


@pytest.mark.parametrize("prefix", ["", "/en", "/vi"])
def test_every_page_links_the_manifest_and_registers_the_worker(client, db, prefix):
    html = client.get(f"{prefix}/").content.decode()
    assert f'<link rel="manifest" href="{prefix}/manifest.webmanifest">' in html
    assert '<meta name="theme-color"' in html
    assert 'id="sw-register"' in html
    assert 'data-worker="/sw.js"' in html


@pytest.mark.parametrize("prefix", ["", "/en", "/vi"])
def test_offline_page_shows_the_emergency_line_and_the_feed(client, db, prefix):
    response = client.get(f"{prefix}/offline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1
    assert 'id="offline-emergency" href="tel:' in html
    assert 'data-feed="/stations.geojson"' in html
    assert f'data-language-prefix="{prefix}/"' in html
    assert "js/offline-page.js" in html


def test_offline_page_is_translated(client, db):
    zh = client.get("/offline/").content.decode()
    vi = client.get("/vi/offline/").content.decode()
    en = client.get("/en/offline/").content.decode()
    assert "<h1>No connection</h1>" in en
    assert "<h1>No connection</h1>" not in zh
    assert "<h1>No connection</h1>" not in vi


def test_help_form_carries_the_offline_notice_and_fill_time(client, db, settings):
    settings.HELP_MIN_FILL_SECONDS = 7
    html = client.get("/help/").content.decode()
    assert 'id="help-offline-kept"' in html
    assert 'data-min-fill-seconds="7"' in html
    assert "tel:" in html.split('id="help-offline-kept"')[1]


def test_station_page_offers_wechat_copy_buttons_beside_the_geo_link(client, station):
    station.address = "防城港市港口区渔洲坪"
    station.save()
    html = client.get(f"/stations/{station.slug}/").content.decode()
    assert 'data-app="geo"' in html
    block = html.split('id="wechat-navigate"')[1].split("</div>")[0]
    assert " hidden" in html.split('id="wechat-navigate"')[1][:5] or "hidden" in block[:200]
    assert 'data-copy="21.580000,108.360000"' in block
    assert 'data-copy="防城港市港口区渔洲坪"' in block
    assert "js/wechat.js" in html
