"""The portal as `make serve` runs it, for the browser tests.

DEBUG off, `collectstatic` into the manifest (hashed) storage, gunicorn with two workers, its
own SQLite file with the demo data. Tests that need other data put it there with
`ProductionServer.shell(code)`, which runs Python in `manage.py shell` against the same file.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ProductionServer:
    url: str
    env: dict[str, str]
    process: subprocess.Popen
    log: Path

    def manage(self, *args: str) -> str:
        """Run a management command against the server's database; return its output."""
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def shell(self, code: str) -> str:
        """Run Python against the server's database (models imported by the code itself)."""
        return self.manage("shell", "--no-imports", "-c", code)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(tmp: Path, extra_env: dict[str, str] | None = None) -> ProductionServer:
    """Migrate, collect static files, load the demo data and start gunicorn in ``tmp``.

    ``extra_env`` overrides settings (bench/audit.py points the map tiles at a local stand-in).
    """
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "STATIC_MANIFEST": "1",
        "SECRET_KEY": "production-mode-browser-tests-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp / "private"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on loopback: the browser treats localhost as a secure context, but
        # the redirect to HTTPS would leave the machine.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": "",
        # The shared page cache on, as in production (the unit tests run without it).
        "PAGE_CACHE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        **(extra_env or {}),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    server = ProductionServer(
        url=f"http://localhost:{port}", env=env, process=None, log=tmp / "gunicorn.log"
    )  # type: ignore[arg-type]
    server.manage("migrate", "--noinput")
    server.manage("collectstatic", "--noinput")
    server.manage("seed_demo")
    log = server.log.open("wb")
    server.process = subprocess.Popen(  # noqa: S603
        [
            GUNICORN,
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return server
        except OSError:
            pass
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("gunicorn did not start:\n" + server.log.read_text())
        time.sleep(0.2)
