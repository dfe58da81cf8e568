"""Scale-out leg: nginx in front of two gunicorn servers on one PostgreSQL and one Redis.

Run by .ci/run after the PostgreSQL suite (needs DATABASE_URL pointing at PostgreSQL, a
Redis on 127.0.0.1:6379 and nginx; .ci/run installs what is missing). Checks, through
nginx unless said otherwise:

1. a session made on server A continues on server B (sign in on A, the staff pages on B),
   and a form fetched from A posts to B (CSRF);
2. 300 concurrent help submissions from 300 client addresses: 300 requests, 300 codes;
3. the per-address help limit (5 in 10 minutes) counts across both servers;
4. the login lockout (5 failures) counts across both servers;
5. one app server is killed in the middle of 200 submissions: clients retry what failed
   with the same form, and every submission is stored exactly once.

Client addresses are real: each client binds its own 127.0.x.y source address, nginx
passes it in X-Forwarded-For and the app trusts one proxy (TRUSTED_PROXY_COUNT=1).
Prints the figures; exits non-zero when a check fails.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from django_otp.oath import totp

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
REDIS_URL = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/7")
PASSWORD = "scale-out-Password-42"
# The superuser's authenticator key (hex): superusers must pass the second factor.
TOTP_KEY = "3132333435363738393031323334353637383930"
LOAD = 300
FAILOVER_LOAD = 200

failures: list[str] = []


def check(condition: bool, message: str) -> None:
    print(("ok    " if condition else "FAIL  ") + message, flush=True)
    if not condition:
        failures.append(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Client:
    """One browser: its own source address and cookie jar."""

    def __init__(self, port: int, source: str = "127.0.0.1"):
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method: str, path: str, fields: dict | None = None, port: int = 0):
        conn = http.client.HTTPConnection(
            "127.0.0.1", port or self.port, timeout=60, source_address=(self.source, 0)
        )
        headers = {"Host": "localhost"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://localhost:{port or self.port}{path}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            html = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, html, dict(response.getheaders())

    def help_form(self) -> dict:
        status, html, _ = self.request("GET", "/help/")
        if status != 200:
            raise RuntimeError(f"help form answered {status}")
        return {
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[
                1
            ],
            "token": re.search(r'name="token" value="([^"]+)"', html)[1],
            "category": "breakdown",
            "description": "Scale-out test",
            "location_text": "G228",
            "website": "",
        }


def address(index: int) -> str:
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


class Stack:
    def __init__(self, work: Path):
        self.work = work
        base = os.environ["DATABASE_URL"]
        self.db_name = f"driverhome_scaleout_{os.getpid()}"
        self.db_url = urlunsplit(urlsplit(base)._replace(path=f"/{self.db_name}"))
        self.admin_url = urlunsplit(urlsplit(base)._replace(path="/postgres"))
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DATABASE_URL": self.db_url,
            "REDIS_URL": REDIS_URL,
            "DEBUG": "0",
            "SECRET_KEY": "scale-out-leg-only-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "localhost,127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_MANIFEST": "0",
            "TRUSTED_PROXY_COUNT": "1",
            "HELP_MIN_FILL_SECONDS": "0",
            # Every submission uses its own phone; the per-address limit stays as shipped.
            "HELP_RATE_PER_PHONE": "0/1",
            "MEDIA_ROOT": str(work / "media"),
            "PRIVATE_MEDIA_ROOT": str(work / "private"),
            "LOG_LEVEL": "WARNING",
        }
        self.servers: dict[str, tuple[subprocess.Popen, int]] = {}

    def psql(self, sql: str) -> None:
        subprocess.run(["psql", self.admin_url, "-qc", sql], check=True, capture_output=True)

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def start(self) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        self.psql(f'CREATE DATABASE "{self.db_name}"')
        subprocess.run(["redis-cli", "-u", REDIS_URL, "FLUSHDB"], check=True, capture_output=True)
        self.manage("migrate", "--noinput", "-v0")
        self.manage(
            "shell",
            "--no-imports",
            "-c",
            "from accounts.models import User; "
            "from django_otp.plugins.otp_totp.models import TOTPDevice; "
            f"user = User.objects.create_superuser('scaleout', '', '{PASSWORD}'); "
            f"TOTPDevice.objects.create(user=user, name='app', key='{TOTP_KEY}', confirmed=True)",
        )
        for name in ("a", "b"):
            port = free_port()
            process = subprocess.Popen(
                [GUNICORN, "portal.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2"]
                + ["--access-logfile", str(self.work / f"access-{name}.log"), "--timeout", "60"]
                + ["--access-logformat", '%({x-forwarded-for}i)s "%(r)s" %(s)s'],
                cwd=ROOT,
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=(self.work / f"error-{name}.log").open("wb"),
                start_new_session=True,
            )
            self.servers[name] = (process, port)
        for _name, (_process, port) in self.servers.items():
            self.wait(port)
        self.nginx_port = free_port()
        self.pinned = {"a": free_port(), "b": free_port()}
        conf = self.work / "nginx.conf"
        conf.write_text(
            NGINX.format(
                work=self.work,
                port=self.nginx_port,
                port_a=self.pinned["a"],
                port_b=self.pinned["b"],
                a=self.servers["a"][1],
                b=self.servers["b"][1],
            )
        )
        self.nginx = subprocess.Popen(
            ["nginx", "-p", str(self.work), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=(self.work / "nginx-stderr.log").open("wb"),
        )
        self.wait(self.nginx_port)

    def wait(self, port: int) -> None:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            try:
                status, _html, _ = Client(port).request("GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"nothing healthy on port {port}")

    def kill(self, name: str) -> None:
        process, _port = self.servers[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process, _port in self.servers.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
        if getattr(self, "nginx", None) is not None:
            self.nginx.terminate()
            self.nginx.wait(timeout=20)
        self.psql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def posts(self, name: str, what: str = "POST /help/") -> int:
        """Count the requests ``what`` in server ``name``'s access log so far."""
        log = (self.work / f"access-{name}.log").read_text()
        return sum(1 for line in log.splitlines() if what in line)

    def rows(self) -> tuple[int, int, int]:
        out = self.manage(
            "shell",
            "--no-imports",
            "-c",
            "from helpdesk.models import HelpRequest as H; qs = H.objects.all(); "
            "print(qs.count(), len(set(qs.values_list('code', flat=True))), "
            "len(set(qs.values_list('form_token', flat=True))))",
        )
        total, codes, tokens = (int(x) for x in out.split()[-3:])
        return total, codes, tokens


NGINX = """
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 2048; }}
http {{
  access_log off;
  client_body_temp_path {work}/client_body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  upstream driverhome {{
    server 127.0.0.1:{a} max_fails=1 fail_timeout=30s;
    server 127.0.0.1:{b} max_fails=1 fail_timeout=30s;
  }}
  proxy_set_header Host $host;
  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
  proxy_set_header X-Forwarded-Proto $scheme;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://driverhome;
      proxy_next_upstream error timeout;
    }}
  }}
  # The same proxy pinned to one server each, so a check can alternate between them.
  server {{
    listen 127.0.0.1:{port_a};
    location / {{ proxy_pass http://127.0.0.1:{a}; }}
  }}
  server {{
    listen 127.0.0.1:{port_b};
    location / {{ proxy_pass http://127.0.0.1:{b}; }}
  }}
}}
"""


def concurrent(jobs, count: int) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            results[index] = jobs(index, barrier)
        except Exception as exc:  # noqa: BLE001 (reported as a result)
            results[index] = f"error: {exc!r}"

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def fetch_forms(clients: list[Client]) -> list[dict]:
    """Fetch every client's help form, 50 at a time."""
    forms: list[dict] = []
    for start in range(0, len(clients), 50):
        batch = clients[start : start + 50]
        results: list = [None] * len(batch)

        def fetch(index: int, batch=batch, results=results) -> None:
            results[index] = batch[index].help_form()

        threads = [threading.Thread(target=fetch, args=(i,)) for i in range(len(batch))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        forms.extend(results)
    return forms


def sessions_and_csrf(stack: Stack) -> None:
    port_a, port_b = stack.servers["a"][1], stack.servers["b"][1]
    browser = Client(port_a)
    status, html, _ = browser.request("GET", "/admin/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    status, _html, headers = browser.request(
        "POST",
        "/admin/login/?next=/admin/",
        {"csrfmiddlewaretoken": csrf, "username": "scaleout", "password": PASSWORD},
    )
    check(status == 302, f"password accepted on server A ({status})")
    # The second factor on server B: the half-signed-in session crossed over.
    status, html, _ = browser.request("GET", "/staff/account/code/", port=port_b)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    code = totp(bytes.fromhex(TOTP_KEY))
    status, _html, _ = browser.request(
        "POST",
        "/staff/account/code/?next=/admin/",
        {"csrfmiddlewaretoken": csrf, "code": f"{code:06d}"},
        port=port_b,
    )
    check(status == 302, f"second factor accepted on server B ({status})")
    status, html, _ = browser.request("GET", "/admin/", port=port_a)
    check(status == 200 and "scaleout" in html, f"session continues on server A ({status})")
    driver = Client(port_a, "127.0.3.1")
    fields = driver.help_form()
    status, _html, _ = driver.request(
        "POST", "/help/", {**fields, "phone": "13700000001"}, port=port_b
    )
    check(status == 302, f"form from A accepted by B: CSRF and form token shared ({status})")
    before = stack.rows()[0]
    _status, sent_b, _ = driver.request("GET", "/help/sent/", port=port_b)
    # The same post again (a resend after a lost answer), now to server A.
    status, _html, _ = driver.request(
        "POST", "/help/", {**fields, "phone": "13700000001"}, port=port_a
    )
    _status, sent_a, _ = driver.request("GET", "/help/sent/", port=port_a)
    code = re.compile(r'id="tracking-code">([0-9A-Z]{4}-[0-9A-Z]{4})<')
    check(
        status == 302
        and stack.rows()[0] == before
        and code.findall(sent_a) == code.findall(sent_b) != [],
        "a resent post finds its first request on the other server (same code, no new row)",
    )


def load(stack: Stack) -> None:
    clients = [Client(stack.nginx_port, address(i)) for i in range(LOAD)]
    forms = fetch_forms(clients)
    before = stack.rows()[0]
    posts_before = {name: stack.posts(name) for name in ("a", "b")}

    def post(index: int, barrier: threading.Barrier):
        barrier.wait()
        phone = f"1390000{index:04d}"
        return clients[index].request("POST", "/help/", {**forms[index], "phone": phone})[0]

    started = time.monotonic()
    statuses = concurrent(post, LOAD)
    seconds = time.monotonic() - started
    total, codes, tokens = stack.rows()
    print(
        f"      load: {LOAD} concurrent submissions in {seconds:.1f} s; answers "
        f"{dict(Counter(statuses))}; rows {total - before} new, {codes} distinct codes of "
        f"{total}; posts served by A {stack.posts('a') - posts_before['a']}, "
        f"B {stack.posts('b') - posts_before['b']}"
    )
    check(statuses == [302] * LOAD, f"{LOAD} submissions answered 302")
    check(total - before == LOAD and codes == total, f"{LOAD} rows, {LOAD} distinct codes")


def rate_limit(stack: Stack) -> None:
    client = Client(stack.nginx_port, "127.0.8.1")
    marker = "127.0.8.1"
    answers = []
    for index in range(8):
        # Through nginx, alternately to server A and server B.
        client.port = stack.pinned["ab"[index % 2]]
        fields = client.help_form()
        answers.append(
            client.request("POST", "/help/", {**fields, "phone": f"1360000{index:04d}"})[0]
        )
    per_server = {}
    for name in ("a", "b"):
        log = (stack.work / f"access-{name}.log").read_text().splitlines()
        per_server[name] = Counter(
            line.rsplit(" ", 1)[1]
            for line in log
            if "POST /help/" in line and line.startswith(marker)
        )
    print(f"      rate limit from one address: answers {answers}; per server {per_server}")
    check(answers.count(302) == 5 and answers.count(429) == 3, "5 of 8 allowed across servers")
    check(all(sum(c.values()) > 0 for c in per_server.values()), "both servers took posts")


def lockout(stack: Stack) -> None:
    client = Client(stack.nginx_port, "127.0.9.1")
    answers = []
    for index, password in enumerate(["wrong"] * 5 + [PASSWORD]):
        # Through nginx, alternately to server A and server B.
        client.port = stack.pinned["ab"[index % 2]]
        _status, html, _ = client.request("GET", "/admin/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        fields = {"csrfmiddlewaretoken": csrf[1] if csrf else "", "username": "scaleout"}
        answers.append(client.request("POST", "/admin/login/", {**fields, "password": password})[0])
    per_server = {
        name: sum(
            1
            for line in (stack.work / f"access-{name}.log").read_text().splitlines()
            if line.startswith("127.0.9.1") and "POST /admin/login/" in line
        )
        for name in ("a", "b")
    }
    print(f"      login lockout: answers {answers}; login posts per server {per_server}")
    check(answers[-1] == 429, "the right password is refused after 5 failures on 2 servers")
    check(all(per_server.values()), "both servers counted failures")


def failover(stack: Stack) -> None:
    clients = [Client(stack.nginx_port, address(1000 + i)) for i in range(FAILOVER_LOAD)]
    forms = fetch_forms(clients)
    before = stack.rows()[0]
    retries = Counter()
    sent = threading.Event()
    started = threading.Semaphore(0)

    def post(index: int, barrier: threading.Barrier):
        barrier.wait()
        # Spread the submissions over about two seconds so the kill lands mid-load.
        time.sleep(index * 0.01)
        started.release()
        fields = {**forms[index], "phone": f"1350000{index:04d}"}
        for attempt in range(5):
            try:
                status = clients[index].request("POST", "/help/", fields)[0]
            except OSError:
                status = 0
            if status == 302:
                return attempt
            retries[status] += 1
            time.sleep(0.2)
        return f"gave up ({status})"

    def killer():
        for _ in range(FAILOVER_LOAD // 3):
            started.acquire()
        stack.kill("b")
        sent.set()

    thread = threading.Thread(target=killer)
    thread.start()
    attempts = concurrent(post, FAILOVER_LOAD)
    thread.join()
    total, codes, tokens = stack.rows()
    retried = sum(1 for a in attempts if isinstance(a, int) and a > 0)
    print(
        f"      failover: server B killed after {FAILOVER_LOAD // 3} of {FAILOVER_LOAD} "
        f"submissions started; {retried} submissions retried (failed answers "
        f"{dict(retries)}); rows {total - before} new, {tokens} distinct form tokens of {total}"
    )
    check(all(isinstance(a, int) for a in attempts), "every submission ends in 302")
    check(total - before == FAILOVER_LOAD, f"{FAILOVER_LOAD} rows: each stored exactly once")
    check(tokens == total and codes == total, "no duplicate tokens or codes")


def main() -> int:
    if shutil.which("nginx") is None:
        print("nginx is not installed (apt-get install nginx)", file=sys.stderr)
        return 2
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("DATABASE_URL must point at PostgreSQL", file=sys.stderr)
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="scaleout-") as folder:
        stack = Stack(Path(folder))
        try:
            stack.start()
            sessions_and_csrf(stack)
            load(stack)
            rate_limit(stack)
            lockout(stack)
            failover(stack)
        finally:
            stack.stop()
    print(f"scale-out leg: {time.monotonic() - started:.0f} s, {len(failures)} failed checks")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
