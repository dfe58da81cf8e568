"""Browser fixtures for the portal as production runs it (see production.py)."""

from __future__ import annotations

import pytest

from tests.browser import production
from tests.conftest import NETWORK_GUARD_ORIGINS

PHONE = {"width": 360, "height": 740}
LOCALES = {"zh-hans": "zh-CN", "en": "en-GB", "vi": "vi-VN"}


@pytest.fixture(scope="session")
def prod_server(browser, tmp_path_factory):
    """gunicorn, DEBUG off, hashed static files, demo data: what `make serve` runs."""
    server = production.start(tmp_path_factory.mktemp("production"))
    yield server
    server.stop()


class Watched:
    """What went wrong on the pages of one test: asset errors, page errors, CSP violations."""

    def __init__(self, origin: str):
        self.origin = origin
        self.problems: list[str] = []
        self.expected_statuses: set[int] = set()

    def on_response(self, response) -> None:
        if response.url.startswith(self.origin) and response.status >= 400:
            if response.status not in self.expected_statuses:
                self.problems.append(f"{response.status} {response.url}")

    def on_console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP: {message.text}")

    def on_page_error(self, error) -> None:
        self.problems.append(f"page error: {error}")


def phone_context(browser, language="zh-hans", **options):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=LOCALES[language],
        **options,
    )
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(NETWORK_GUARD_ORIGINS)
            else route.abort()
        ),
    )
    return context


@pytest.fixture
def prod_page(browser, prod_server):
    """A 360x740 phone page on the production-mode server.

    The test fails at teardown if any of the portal's own responses was >= 400 (unless the
    test listed the status in `page.watched.expected_statuses`), a script threw, or the
    content security policy refused something.
    """
    context = phone_context(browser, service_workers="block")
    page = context.new_page()
    watched = Watched(prod_server.url)
    page.on("response", watched.on_response)
    page.on("console", watched.on_console)
    page.on("pageerror", watched.on_page_error)
    page.watched = watched
    yield page
    context.close()
    if watched.problems:
        pytest.fail("production-mode page problems:\n" + "\n".join(watched.problems))
