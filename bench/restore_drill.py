"""Restore drill: back up while help requests are posted, restore, compare everything.

    .venv/bin/python bench/restore_drill.py               # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/restore_drill.py

A source installation (migrate, demo data, dossier documents) gets help requests from a
writer process while ``backup_portal`` runs; the archive is restored with
``restore_portal`` into a fresh database and fresh upload folders. Every table's rows and
every file's SHA-256 are then compared with the source at the backup's moment: tables
the writer did not touch must be equal; the writer's tables must hold exactly the
source's rows up to the newest one in the copy (a single writer commits in id order), and
every copied request must have its "received" event (one transaction). Prints the
figures; tests/portal/test_backup.py runs the same drill and asserts 0 differences.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
# Tables the writer adds rows to during the backup (each request queues its notices).
WRITER_TABLES = {"helpdesk_helprequest", "helpdesk_helpevent", "notices_notice"}
# The database cache: disposable, and each request also bumps the public figures' data
# version there (portal.figures), so its rows are not compared.
CACHE_TABLES = {"portal_cache"}

SETUP = """
from django.core.files.uploadedfile import SimpleUploadedFile
from io import BytesIO
from PIL import Image
from members import services
from members.models import Person
people = list(Person.objects.order_by("pk")[:4])
for index, person in enumerate(people):
    buffer = BytesIO()
    Image.new("RGB", (120 + index, 90), (index * 40, 90, 200)).save(buffer, "PNG")
    services.dossier_document_add(person=person, user=None,
        upload=SimpleUploadedFile("scan.png", buffer.getvalue()))
    filler = str(index).encode() * 5000
    body = b"%PDF-1.4\\n1 0 obj<<>>endobj\\n% " + filler + b"\\ntrailer<<>>\\n%%EOF\\n"
    services.dossier_document_add(person=person, user=None,
        upload=SimpleUploadedFile("form.pdf", body))
print(len(people) * 2)
"""

WRITER = """
import os, secrets, time
from pathlib import Path
from helpdesk.services.requests import help_request_submit
stop = Path(os.environ["DRILL_STOP"])
count = 0
while not stop.exists():
    help_request_submit(form_token=secrets.token_hex(16), category="breakdown",
        description=f"Drill request {count}", phone="13800138000", location_text="G228")
    count += 1
    Path(os.environ["DRILL_COUNT"]).write_text(str(count))
    time.sleep(0.005)
"""

DUMP = """
import json
from django.db import connection
tables = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names()):
        cursor.execute(f'SELECT * FROM "{table}"')
        columns = [column[0] for column in cursor.description]
        rows = sorted(json.dumps([str(v) for v in row]) for row in cursor.fetchall())
        tables[table] = {"columns": columns, "rows": rows}
print("DUMP" + json.dumps(tables))
"""


def _database_url(name: str, work: Path) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        parts = urlsplit(base)
        return urlunsplit(parts._replace(path=f"/{name}"))
    return f"sqlite:///{work / name}.sqlite3"


def _psql(url: str, sql: str) -> None:
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)


class Site:
    def __init__(self, name: str, work: Path, key: str):
        self.url = _database_url(f"driverhome_drill_{name}_{os.getpid()}", work)
        self.media = work / name / "media"
        self.private = work / name / "private"
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DATABASE_URL": self.url,
            "MEDIA_ROOT": str(self.media),
            "PRIVATE_MEDIA_ROOT": str(self.private),
            "BACKUP_KEY": key,
            "DEBUG": "0",
            "SECRET_KEY": "restore-drill-only-0123456789-abcdefghijklmnopqrstuvwxyz",
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
        }
        if self.url.startswith("postgres"):
            _psql(self.url, f'DROP DATABASE IF EXISTS "{urlsplit(self.url).path[1:]}"')
            _psql(self.url, f'CREATE DATABASE "{urlsplit(self.url).path[1:]}"')

    def manage(self, *args: str, **popen) -> str:
        done = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def dump(self) -> dict[str, list[str]]:
        out = self.manage("shell", "--no-imports", "-c", DUMP)
        return json.loads(out[out.index("DUMP") + 4 :])

    def files(self) -> dict[str, str]:
        found = {}
        for label, root in (("media", self.media), ("private", self.private)):
            for path in sorted(root.rglob("*")) if root.exists() else []:
                if path.is_file() and not path.name.startswith("."):
                    name = f"{label}/{path.relative_to(root).as_posix()}"
                    found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        return found

    def drop(self) -> None:
        if self.url.startswith("postgres"):
            name = urlsplit(self.url).path[1:]
            _psql(self.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _read_count(path: Path) -> int:
    """The writer's count file, read again while the writer is between truncate and write."""
    for _ in range(100):
        text = path.read_text().strip()
        if text:
            return int(text)
        time.sleep(0.01)
    return 0


def _pk(row: str) -> int:
    return int(json.loads(row)[0])


def compare(source_tables: dict, restored_tables: dict) -> dict:
    """Count the differences between the restored tables and the source at the backup."""
    source = {name: table["rows"] for name, table in source_tables.items()}
    restored = {name: table["rows"] for name, table in restored_tables.items()}
    differences = 0
    details = []
    for table in sorted(set(source) | set(restored)):
        if table in CACHE_TABLES:
            continue
        src, dst = source.get(table), restored.get(table)
        if (
            src is None
            or dst is None
            or (source_tables[table]["columns"] != restored_tables[table]["columns"])
        ):
            differences += 1
            details.append(f"table {table} only on one side")
            continue
        if table in WRITER_TABLES and dst:
            newest = max(_pk(row) for row in dst)
            src = [row for row in src if _pk(row) <= newest]
        elif table in WRITER_TABLES:
            src = []
        missing, extra = set(src) - set(dst), set(dst) - set(src)
        if missing or extra:
            differences += len(missing) + len(extra)
            details.append(f"{table}: {len(missing)} missing, {len(extra)} extra")
    # Each copied request has its "received" event: the copy is one transaction's view.
    requests = {_pk(row) for row in restored.get("helpdesk_helprequest", [])}
    events = restored_tables.get("helpdesk_helpevent", {"columns": [], "rows": []})
    column = events["columns"].index("request_id") if events["rows"] else 0
    event_requests = {int(json.loads(row)[column]) for row in events["rows"]}
    orphans = len(requests - event_requests)
    if orphans:
        differences += orphans
        details.append(f"{orphans} requests without their event")
    return {"differences": differences, "details": details}


def run_drill(work: Path) -> dict:
    """Run the whole drill in ``work``; return its figures (differences included)."""
    key = subprocess.run(
        [PYTHON, "manage.py", "backup_portal", "--generate-key"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    source, target = Site("source", work, key), Site("target", work, key)
    writer = None
    try:
        source.manage("migrate", "--noinput", "-v0")
        source.manage("seed_demo")
        source.manage("shell", "--no-imports", "-c", SETUP)
        stop, count = work / "stop", work / "count"
        writer = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "--no-imports", "-c", WRITER],
            cwd=ROOT,
            env={**source.env, "DRILL_STOP": str(stop), "DRILL_COUNT": str(count)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while not (count.exists() and _read_count(count) >= 20):
            if writer.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("writer failed: " + writer.stderr.read().decode()[-2000:])
            time.sleep(0.05)
        before = _read_count(count)
        started = time.monotonic()
        out = source.manage("backup_portal", "--dir", str(work / "backups"), "--keep", "0")
        backup_seconds = time.monotonic() - started
        during = _read_count(count) - before
        # Let a few more requests arrive after the backup, then stop the writer.
        time.sleep(0.3)
        stop.write_text("stop")
        writer.wait(timeout=30)
        posted = _read_count(count)
        archive = Path(out.split()[0])
        started = time.monotonic()
        target.manage("restore_portal", str(archive))
        restore_seconds = time.monotonic() - started
        source_rows, restored_rows = source.dump(), target.dump()
        result = compare(source_rows, restored_rows)
        source_files, restored_files = source.files(), target.files()
        file_differences = len(set(source_files.items()) ^ set(restored_files.items()))
        return {
            "database": "postgresql" if source.url.startswith("postgres") else "sqlite",
            "tables": len(restored_rows),
            "rows": sum(len(table["rows"]) for table in restored_rows.values()),
            "help_requests_posted": posted,
            "help_requests_posted_during_backup": during,
            "help_requests_in_backup": len(restored_rows["helpdesk_helprequest"]["rows"]),
            "files": len(restored_files),
            "archive_bytes": archive.stat().st_size,
            "backup_seconds": round(backup_seconds, 2),
            "restore_seconds": round(restore_seconds, 2),
            "row_differences": result["differences"],
            "row_difference_details": result["details"],
            "file_differences": file_differences,
        }
    finally:
        if writer is not None and writer.poll() is None:
            writer.kill()
            writer.wait()
        source.drop()
        target.drop()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="restore-drill-") as folder:
        figures = run_drill(Path(folder))
    for name, value in figures.items():
        print(f"{name:36} {value}")
