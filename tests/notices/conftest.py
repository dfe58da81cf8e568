"""A local HTTP server standing in for the group robots and the SMS provider (no network)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from notices.models import GroupWebhook
from tests.helpdesk.conftest import fast_forms  # noqa: F401 (the help form fixture)


class Endpoint:
    """Records every POST; answers from ``replies`` (status, JSON) in turn, then ``default``."""

    def __init__(self):
        self.calls = []
        self.replies = []
        self.default = (200, {"errcode": 0, "errmsg": "ok"})
        self.hang = False
        self.release = threading.Event()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _handler(self):
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                endpoint.calls.append(
                    {
                        "path": parts.path,
                        "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "content_type": self.headers.get("Content-Type", ""),
                        "raw": raw,
                    }
                )
                if endpoint.hang:
                    endpoint.release.wait(30)
                    return
                status, answer = endpoint.replies.pop(0) if endpoint.replies else endpoint.default
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def json(self, index=-1):
        return json.loads(self.calls[index]["raw"].decode())

    def form(self, index=-1):
        return {k: v[0] for k, v in parse_qs(self.calls[index]["raw"].decode()).items()}

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint():
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture
def notice_settings(settings):
    settings.SITE_URL = "https://driverhome.example"
    settings.NOTICE_HTTP_TIMEOUT = 2
    settings.NOTICE_MAX_ATTEMPTS = 3
    settings.NOTICE_RETRY_SECONDS = 60
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def make_group(endpoint, db):
    def make(provider="wecom", organisation=None, **extra):
        extra.setdefault("name", f"{provider} group")
        extra.setdefault("url", f"{endpoint.url}/{provider}/send?key=abc")
        return GroupWebhook.objects.create(provider=provider, organisation=organisation, **extra)

    return make
