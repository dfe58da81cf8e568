"""No public page shows a callback phone, a driver's name or an internal note."""

import re
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import reverse

from helpdesk.figures import help_figures  # noqa: F401
from helpdesk.services import requests as services
from helpdesk.services import wishes

from .helpers import make_request, make_station

pytestmark = pytest.mark.django_db

SECRETS = [
    "13912345678",
    "+84912345678",
    "ZhangSecretName",
    "INTERNAL-NOTE-XYZ",
    "REASON-XYZ",
    "RESOLUTION-XYZ",
    "13987654321",
    "VolunteerSecret",
]


def crawl(client, start_urls, limit=200):
    """Fetch public pages reachable from ``start_urls`` on this site; yield (url, html)."""
    seen, queue = set(), list(start_urls)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith(
            ("text/", "application/json", "application/xml", "application/rss", "application/atom")
        ):
            continue
        body = response.content.decode()
        yield url, body
        for href in re.findall(r'href="([^"#]+)"', body):
            target = urljoin(url, href)
            parsed = urlparse(target)
            if parsed.netloc and parsed.netloc != "testserver":
                continue
            path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if "/admin/" in path or "/staff/" in path or path.startswith("/static/"):
                continue
            if target.startswith(("tel:", "mailto:")):
                continue
            queue.append(path)


def test_public_pages_leak_nothing(client, dispatcher, committee):
    station = make_station()
    req = make_request(phone="13912345678", name="ZhangSecretName", station=station)
    services.help_request_note(request=req, actor=dispatcher, text="INTERNAL-NOTE-XYZ")
    services.help_request_transfer(
        request=req, actor=dispatcher, organisation=committee, note="INTERNAL-NOTE-XYZ"
    )
    services.help_request_start(request=req, actor=dispatcher)
    services.help_request_resolve(request=req, actor=dispatcher, what_was_done="RESOLUTION-XYZ")
    other = make_request(phone="+84912345678", name="ZhangSecretName")
    services.help_request_reject(request=other, actor=dispatcher, reason="REASON-XYZ")
    wish, _ = wishes.wish_submit(
        form_token="w", text="A wish", surname="张", road="G228", phone="13987654321"
    )
    wishes.wish_approve(wish=wish, actor=dispatcher)
    wishes.wish_claim(wish=wish, actor=dispatcher, volunteer="VolunteerSecret")

    starts = []
    for prefix in ("", "/en", "/vi"):
        starts += [
            f"{prefix}/",
            f"{prefix}/help/",
            f"{prefix}/help/track/",
            f"{prefix}/help/privacy/",
            f"{prefix}/help/figures/",
            f"{prefix}/wishes/",
            f"{prefix}/help/sent/",
        ]
    pages = list(crawl(client, starts))
    assert len(pages) >= len(starts)
    for url, body in pages:
        for secret in SECRETS:
            assert secret not in body, (url, secret)

    # The driver's own tracking view shows the timeline and nothing else of theirs.
    body = client.post(
        reverse("helpdesk:track"), {"code": req.code, "last4": "5678"}
    ).content.decode()
    assert 'class="timeline"' in body
    for secret in SECRETS:
        assert secret not in body, secret
    # And the confirmation page after sending shows the code only.
    body = client.get(reverse("helpdesk:sent")).content.decode()
    for secret in SECRETS:
        assert secret not in body
