"""Notices benchmark: help-form submission time with the notice endpoints up, down and hanging.

Run with `make bench` (or `.venv/bin/python bench/notices.py`). Everything happens on
loopback against a throwaway SQLite database under /tmp. Four group robots (the desk's
WeCom, DingTalk and Feishu groups and a branch's WeCom group), one dispatcher with an
e-mail address, and the Alibaba Cloud SMS backend all point at one local endpoint that is
either up (answers at once), down (connection refused) or hanging (accepts, never answers).
For each, the public help form is posted SUBMISSIONS times through Django's full middleware
(the driver ticks "text messages"), and then:
- the form's median and p95 answer time (the notices are only queued);
- what one notice costs the worker when it is sent (the time the form would have waited
  had the notice been sent inside the request, as before).
"""

import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="driverhome-bench-notices-"))
HTTP_TIMEOUT = 3
os.environ.update(
    {
        "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "ERROR",
        "NOTICE_HTTP_TIMEOUT": str(HTTP_TIMEOUT),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SMS_BACKEND": "notices.sms.AliyunSmsBackend",
        "SMS_TEMPLATES": "received=SMS_1,transferred=SMS_2,started=SMS_3,resolved=SMS_4",
    }
)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Organisation, User  # noqa: E402
from accounts.roles import DISPATCHERS  # noqa: E402
from helpdesk.forms.requests import HelpRequestForm  # noqa: E402
from notices.delivery import DeliveryError, notice_deliver  # noqa: E402
from notices.models import GroupWebhook, Notice  # noqa: E402

SUBMISSIONS = 30
WORKER_SAMPLE = 5


class Endpoint:
    """A loopback server that answers at once ("up") or never ("hanging")."""

    def __init__(self, hang: bool):
        release = self.release = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if hang:
                    release.wait(60)
                    return
                data = b'{"errcode": 0, "code": 0, "Code": "OK"}'
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def point_everything_at(url: str, branch: Organisation) -> None:
    GroupWebhook.objects.all().delete()
    for provider, organisation in [
        ("wecom", None),
        ("dingtalk", None),
        ("feishu", None),
        ("wecom", branch),
    ]:
        GroupWebhook.objects.create(
            name=f"{provider}-{organisation}",
            provider=provider,
            organisation=organisation,
            url=f"{url}/{provider}?key=k",
            secret="SECbench" if provider != "wecom" else "",
        )
    settings.SMS_ENDPOINT = f"{url}/sms"


def submit(client: Client, index: int) -> float:
    data = {
        "token": HelpRequestForm.new_token(),
        "category": "breakdown",
        "description": "Engine failed near the port",
        "phone": f"1380013{index:04d}",
        "location_text": "G228 near Qisha",
        "sms_opt_in": "on",
        "website": "",
    }
    start = time.perf_counter()
    response = client.post("/help/", data)
    elapsed = time.perf_counter() - start
    if response.status_code != 302:
        raise SystemExit(f"the help form answered {response.status_code}")
    return elapsed


def worker_cost() -> float:
    """Median seconds to deliver one queued notice (what an in-request send would add)."""
    times = []
    for notice in Notice.objects.filter(state="pending").select_related("group")[:WORKER_SAMPLE]:
        start = time.perf_counter()
        try:
            notice_deliver(notice)
        except DeliveryError:
            pass
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    call_command("migrate", verbosity=0)
    settings.HELP_MIN_FILL_SECONDS = 0
    settings.HELP_RATE_PER_IP = "100000/60"
    settings.HELP_RATE_PER_PHONE = "100000/60"
    branch = Organisation.objects.create(name="Bench branch", kind=Organisation.Kind.BRANCH)
    desk = User.objects.create_user("desk", email="desk@example.org", is_staff=True)
    desk.groups.add(Group.objects.get(name=DISPATCHERS))
    client = Client()
    up, hanging = Endpoint(hang=False), Endpoint(hang=True)
    scenarios = [("up", up.url), ("down", closed_port_url()), ("hanging", hanging.url)]
    rows = []
    try:
        for label, url in scenarios:
            point_everything_at(url, branch)
            Notice.objects.all().delete()
            cache.clear()
            submit(client, 9999)  # warm-up
            times = sorted(submit(client, index) for index in range(SUBMISSIONS))
            queued = Notice.objects.count()
            rows.append(
                (
                    label,
                    statistics.median(times) * 1000,
                    times[int(len(times) * 0.95) - 1] * 1000,
                    queued,
                    worker_cost() * 1000,
                )
            )
    finally:
        up.close()
        hanging.close()
    print(f"help form, {SUBMISSIONS} submissions each; worker HTTP timeout {HTTP_TIMEOUT} s")
    print(
        f"{'endpoints':<10}{'form median ms':>16}{'form p95 ms':>13}{'queued':>8}"
        f"{'one send ms':>13}{'send / form':>13}"
    )
    for label, median, p95, queued, send in rows:
        ratio = send / median
        print(f"{label:<10}{median:>16.1f}{p95:>13.1f}{queued:>8}{send:>13.1f}{ratio:>13.1f}")
    base = rows[0][1]
    print("form median relative to 'up': " + ", ".join(f"{r[0]} {r[1] / base:.2f}" for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
