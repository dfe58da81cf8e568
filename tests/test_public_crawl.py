"""No public page, feed or error page shows personal data: party members' names, phones and
certificates, help requests' callback phones, names and staff notes, wishers' phones."""

from io import StringIO

import pytest
from django.core.management import call_command

from helpdesk.models import HelpEvent, HelpRequest, Wish
from members.models import Person
from portal.lib.phones import mask

from .crawl import crawl_public, parameterless_url_names

pytestmark = pytest.mark.django_db


def _member_secrets() -> set[str]:
    values = set()
    for name, phone, certificate in Person.objects.values_list(
        "name", "phone", "certificate_number"
    ):
        values.update(value for value in (name, phone, certificate) if len(value) >= 2)
        if phone:
            values.add(phone[-8:])  # the number without its prefix
            values.add(mask(phone))
        if certificate:
            values.add(mask(certificate))
    return values


def _help_secrets() -> set[str]:
    values = set()
    for phone, name, description in HelpRequest.objects.values_list("phone", "name", "description"):
        values.update({phone, phone[-8:], mask(phone), description})
        if len(name) >= 2:
            values.add(name)
    # Staff notes and reasons: long enough to be unmistakable.
    values.update(
        text
        for text in HelpEvent.objects.exclude(text="").values_list("text", flat=True)
        if len(text) >= 6
    )
    for phone in Wish.objects.exclude(phone="").values_list("phone", flat=True):
        values.update({phone, phone[-8:]})
    return values


def test_public_crawl_shows_no_personal_data(client):
    call_command("seed_demo", stdout=StringIO())
    secrets = _member_secrets()
    assert len(secrets) > 400  # the demo's ~175 people are loaded
    help_secrets = _help_secrets()
    assert len(help_secrets) > 30  # the demo's help requests, notes and wishes are loaded
    secrets |= help_secrets
    pages = crawl_public(client)
    names = set(parameterless_url_names())
    assert len(pages) >= 3 * len(names)
    leaks = [(url, value) for url, text in pages.items() for value in secrets if value in text]
    assert leaks == []


def test_crawl_covers_languages_not_found_and_error_pages(client, db):
    pages = crawl_public(client)
    assert "/" in pages and "/en/" in pages and "/vi/" in pages
    assert "/en/no-such-page-for-the-crawler/" in pages
    assert "<server error page>" in pages
    # Members' staff pages redirect anonymous visitors to the login, which is not crawled.
    assert "/members/overview/" in pages
    assert not any(url.startswith("/admin/") for url in pages)


def test_crawl_would_catch_a_leak(client, db, branch_a, settings):
    # A member whose name is also the emergency line text shows the check can fail.
    settings.EMERGENCY_PHONE = "13800009999"
    Person.objects.create(name="测试泄露", phone="13800009999", organisation=branch_a)
    pages = crawl_public(client, start=["/"])
    assert any("13800009999" in text for text in pages.values())
