"""Every staff and admin response tells browsers and proxies not to store it.

Staff pages carry drivers' phones, names and positions and member records; a shared
computer at a station must not keep them. The URLs are enumerated from the URL
configuration and the admin registry, so a new staff page is covered without listing it.
"""

import re

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.helpdesk.helpers import make_request
from tests.members.conftest import make_member

PERSONAS = ["anonymous", "organizer", "superuser"]
STAFF_PREFIXES = ("staff/", "members/")


def _routes(patterns=None, prefix="", namespace=""):
    """Yield (namespaced name, route) for every named URL pattern, admin excluded."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def staff_url_names() -> list[str]:
    return sorted(name for name, route in _routes() if route.startswith(STAFF_PREFIXES))


def test_staff_urls_are_found():
    names = staff_url_names()
    for expected in ("helpdesk:staff-queue", "events:staff-list", "members:overview"):
        assert expected in names


@pytest.fixture
def records(make_event, branch_a, superuser):
    """One record of each kind a staff URL can point at."""
    from events.models import Visit
    from helpdesk.models import Wish
    from members.models import DossierEntry

    person = make_member(name="缓存测试", phone="13900001111", cert="C1", organisation=branch_a)
    return {
        "event": make_event(),
        "visit": Visit.objects.create(
            date="2026-06-01", organisation=branch_a, person_times=3, given="水"
        ),
        "help": make_request(),
        "wish": Wish.objects.create(text="一双手套", form_token="cache-test"),
        "dossier": DossierEntry.objects.create(person=person, kind="note", text="记录"),
    }


def _kwargs(name: str, route: str, records) -> dict:
    kwargs: dict = {}
    if "<int:pk>" in route:
        kind = (
            "visit"
            if "visit" in name
            else "wish"
            if "wish" in name
            else "help"
            if name.startswith("helpdesk:")
            else "dossier"
            if name.startswith("members:")
            else "event"
        )
        kwargs["pk"] = records[kind].pk
    if "<slug:action>" in route:
        kwargs["action"] = "approve" if "wish" in name else "note"
    if "<slug:slug>" in route:
        # A station's console page: no such station is a 404, still never stored.
        kwargs["slug"] = "no-such-station"
    return kwargs


def _login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def _assert_no_store(response, url):
    assert "no-store" in response.get("Cache-Control", ""), (url, response.status_code)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_staff_page_is_never_stored(client, request, persona, records):
    _login(client, request, persona)
    routes = dict(_routes())
    for name in staff_url_names():
        url = reverse(name, kwargs=_kwargs(name, routes[name], records))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            _assert_no_store(response, f"{method.upper()} {url}")


def _admin_urls(records):
    urls = [reverse("admin:index"), reverse("admin:login")]
    for model in admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"admin:{info}_changelist"))
        urls.append(reverse(f"admin:{info}_add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            for view in ("change", "history", "delete"):
                urls.append(reverse(f"admin:{info}_{view}", args=[obj.pk]))
    return urls


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_admin_page_is_never_stored(client, request, persona, records):
    _login(client, request, persona)
    urls = _admin_urls(records)
    assert any(re.search(r"/helpdesk/helprequest/\d+/change/", url) for url in urls)
    for url in urls:
        _assert_no_store(client.get(url), url)


@pytest.mark.parametrize("prefix", ["", "/en", "/vi"])
def test_refusals_and_redirects_are_never_stored(client, organizer, prefix):
    client.force_login(organizer)
    for path in ("/staff/help/999999/", "/admin/no-such-app/", "/members/overview/"):
        _assert_no_store(client.get(prefix + path), prefix + path)


def test_public_pages_stay_cacheable(client, db):
    assert "no-store" not in client.get(reverse("stations:list")).get("Cache-Control", "")
