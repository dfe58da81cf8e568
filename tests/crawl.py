"""Crawl every public page with the test client; reusable by every part's privacy tests.

``crawl_public(client)`` starts from every parameterless URL in each language, follows
every link, form action, redirect and alternate (feed) link that stays on this site and
outside /admin/ and /static/, and also fetches not-found pages and the server-error page.
It returns ``{url: text}`` for everything it fetched.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.conf import settings
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django.utils.module_loading import import_string

SKIPPED_PREFIXES = ("/admin/", "/static/")
LANGUAGE_PREFIXES = ["", *[f"/{code}" for code, _ in settings.LANGUAGES if code != "zh-hans"]]
NOT_FOUND_PATHS = [
    "/no-such-page-for-the-crawler/",
    "/members/no-such-page/",
    "/stations/no-such-station/",
]
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/rss", "application/atom")


def parameterless_url_names(patterns=None, namespace=""):
    """Yield the namespaced names of URL patterns that take no argument (admin excluded)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            if entry.pattern.converters or re.search(r"\(\?P<", str(entry.pattern)):
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from parameterless_url_names(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            if entry.pattern.converters or re.search(r"\(\?P<|\(", str(entry.pattern)):
                continue
            yield f"{namespace}{entry.name}"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and name in ("href", "action", "src", "data-url", "data-href"):
                self.links.append(value)


def _on_site(url: str) -> str | None:
    """Return the path + query of ``url`` when it stays on this site and is crawlable."""
    url, _fragment = urldefrag(url)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https"):
        return None
    if parts.netloc not in ("", "testserver", "localhost", "127.0.0.1"):
        return None
    path = parts.path or "/"
    if path.startswith(SKIPPED_PREFIXES) or path.startswith(
        tuple(f"{prefix}{skip}" for prefix in LANGUAGE_PREFIXES for skip in SKIPPED_PREFIXES)
    ):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def start_urls() -> list[str]:
    urls = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            urls += [reverse(name) for name in sorted(set(parameterless_url_names()))]
    urls += [prefix + path for prefix in LANGUAGE_PREFIXES for path in NOT_FOUND_PATHS]
    return urls


def crawl_public(
    client,
    *,
    limit: int = 3000,
    start: list[str] | None = None,
    within: tuple[str, ...] = (),
) -> dict[str, str]:
    """Fetch every public page reachable from the start URLs; return {url: text}.

    ``client`` should be anonymous. Binary responses are recorded as empty text. With
    ``within`` (path prefixes such as ``("/vi/",)``), links elsewhere are not followed.
    """
    queue = list(start or start_urls())
    pages: dict[str, str] = {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        if url in pages:
            continue
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        if response.streaming:
            body = b"".join(response.streaming_content)
        else:
            body = response.content
        text = body.decode("utf-8", "replace") if content_type.startswith(TEXT_TYPES) else ""
        pages[url] = text
        if response.status_code in (301, 302, 303, 307, 308):
            target = _on_site(urljoin(url, response["Location"]))
            if target and target not in pages:
                queue.append(target)
        if "html" in content_type or "xml" in content_type:
            parser = _Links()
            parser.feed(text)
            for link in parser.links:
                target = _on_site(urljoin(url, link))
                if target and target not in pages and target.startswith(within or ("",)):
                    queue.append(target)
    pages["<server error page>"] = _server_error_page()
    return pages


def _server_error_page() -> str:
    """Render the project's handler500 page, as a visitor would see it."""
    view = import_string(get_resolver().urlconf_module.handler500)
    return view(RequestFactory().get("/")).content.decode()
