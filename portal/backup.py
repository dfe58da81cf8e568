"""Back up and restore the whole portal: database, public media and private documents.

One archive (a plain tar) per run, named ``driverhome-<UTC time>.tar``, holding:

- ``manifest.json``: when, which engine, the applied migrations, and for every other
  member its size and SHA-256, so a copy is checked before anything is restored;
- ``database.sqlite3.enc`` (SQLite's online backup API: a consistent copy of a database
  in WAL mode while it takes writes) or ``database.pgdump.enc`` (``pg_dump -Fc``, one
  consistent snapshot), always encrypted: the database holds drivers' phones and names;
- ``media/…``: public uploads as they are (they are served to anyone anyway);
- ``private/…``: dossier documents, encrypted.

The database is copied first, then the files. Uploads are written before the row that
names them and never changed afterwards, so every file the copied database names is in
the archive (files added during the run may be too; they are harmless).

Encryption is AES-256-GCM in 1 MiB chunks with the key from ``BACKUP_KEY`` (or the file
named by ``BACKUP_KEY_FILE``), never stored in the archive. Each chunk's nonce is random
and its associated data binds the member's name, the chunk's number and whether it is the
last, so chunks cannot be swapped, moved between files or cut off unnoticed.

Why not django-dbbackup: it backs up the database and one media storage, not the second,
private one; its encryption is GnuPG, which needs a keyring on every server; and its
SQLite connector copies the file or dumps SQL rather than using the backup API.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "driverhome-backup-1"
MAGIC = b"DHBK1\n"
CHUNK = 1024 * 1024
NONCE = 12


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why (never the key)."""


# --- Key and encryption ----------------------------------------------------------------


def generate_key() -> str:
    """Return a new random key, as BACKUP_KEY expects it (URL-safe base64 of 32 bytes)."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


def load_key() -> bytes:
    """Read the key from BACKUP_KEY or the file named by BACKUP_KEY_FILE."""
    raw = os.environ.get("BACKUP_KEY", "").strip()
    key_file = os.environ.get("BACKUP_KEY_FILE", "").strip()
    if not raw and key_file:
        try:
            raw = Path(key_file).read_text(encoding="ascii").strip()
        except OSError as exc:
            raise BackupError(f"BACKUP_KEY_FILE cannot be read: {exc.strerror}") from None
    if not raw:
        raise BackupError(
            "No backup key: set BACKUP_KEY or BACKUP_KEY_FILE "
            "(make one with: manage.py backup_portal --generate-key)"
        )
    try:
        key = base64.urlsafe_b64decode(raw)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BackupError("The backup key must be 32 bytes in URL-safe base64")
    return key


def _aad(name: str, index: int, last: bool) -> bytes:
    return f"{FORMAT}|{name}|{index}|{int(last)}".encode()


def encrypt_stream(key: bytes, name: str, source: io.BufferedIOBase, target) -> None:
    """Write ``source`` encrypted to ``target`` (chunks of nonce, length, ciphertext)."""
    cipher = AESGCM(key)
    target.write(MAGIC)
    index = 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        nonce = os.urandom(NONCE)
        sealed = cipher.encrypt(nonce, chunk, _aad(name, index, last))
        target.write(nonce + len(sealed).to_bytes(4, "big") + sealed)
        if last:
            return
        chunk, index = following, index + 1


def decrypt_stream(key: bytes, name: str, source, target) -> None:
    """Write the decrypted ``source`` to ``target``; raise BackupError if tampered with."""
    cipher = AESGCM(key)
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError(f"{name}: not an encrypted backup member")
    index = 0
    while True:
        head = source.read(NONCE + 4)
        if len(head) < NONCE + 4:
            raise BackupError(f"{name}: encrypted data is cut short")
        nonce, length = head[:NONCE], int.from_bytes(head[NONCE:], "big")
        sealed = source.read(length)
        at_end = source.read(1) == b""
        if not at_end:
            source.seek(-1, io.SEEK_CUR)
        try:
            target.write(cipher.decrypt(nonce, sealed, _aad(name, index, at_end)))
        except Exception:
            raise BackupError(f"{name}: wrong key or damaged data") from None
        if at_end:
            return
        index += 1


# --- Archive members -------------------------------------------------------------------


@dataclass
class Member:
    name: str
    size: int
    sha256: str
    encrypted: bool


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(root: Path) -> Iterator[tuple[str, Path]]:
    """Yield (relative name, path) of every regular file under ``root``, in order.

    Hidden partial uploads (``.partial-…``) and health-check probes are skipped.
    """
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
            yield path.relative_to(root).as_posix(), path


def _add(archive: tarfile.TarFile, name: str, path: Path, members: list[Member], enc: bool):
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    with path.open("rb") as handle:
        archive.addfile(info, handle)
    members.append(Member(name, info.size, _sha256(path), enc))


# --- Database snapshot -----------------------------------------------------------------


def _pg_env_args(settings_dict: dict) -> tuple[dict, list[str]]:
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return env, args


def _sqlite_copy(source_name: str, target: Path) -> None:
    """Copy a SQLite database with the online backup API: consistent while others write."""
    source = sqlite3.connect(source_name, uri=source_name.startswith("file:"))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def snapshot_database(target: Path) -> str:
    """Copy the database, consistent at one moment, into ``target``; return its kind."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(settings_dict["NAME"])
        if not Path(name).exists():
            raise BackupError("The SQLite database file is missing")
        _sqlite_copy(f"file:{Path(name).resolve().as_posix()}?mode=ro", target)
        return "sqlite3"
    if connection.vendor == "postgresql":
        env, args = _pg_env_args(settings_dict)
        done = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)
            ["pg_dump", "-Fc", "--no-owner", "--no-privileges", *args, "-f", str(target)]
            + ["-d", str(settings_dict["NAME"])],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[-500:]}")
        return "pgdump"
    raise BackupError(f"Cannot back up a {connection.vendor} database")


def applied_migrations() -> list[str]:
    recorder = MigrationRecorder(connection)
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


# --- Backup ----------------------------------------------------------------------------


@dataclass
class BackupResult:
    path: Path
    files: int
    bytes: int
    seconds: float


def backup(folder: Path, *, key: bytes | None = None, keep: int = 0) -> BackupResult:
    """Write one archive into ``folder``; with ``keep`` > 0, delete all but the newest ``keep``.

    The archive is written under a temporary name and renamed when complete, so a
    half-written archive never looks like a backup.
    """
    started = time.monotonic()
    key = key or load_key()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = folder / f"driverhome-{stamp}.tar"
    members: list[Member] = []
    with tempfile.TemporaryDirectory(prefix="driverhome-backup-") as work:
        work_dir = Path(work)
        kind = snapshot_database(work_dir / "database")
        migrations = applied_migrations()
        partial = folder / f".{final.name}.partial"
        try:
            with tarfile.open(partial, "w") as archive:
                encrypted_db = work_dir / "database.enc"
                with (work_dir / "database").open("rb") as plain, encrypted_db.open("wb") as out:
                    encrypt_stream(key, f"database.{kind}.enc", plain, out)
                _add(archive, f"database.{kind}.enc", encrypted_db, members, True)
                for name, path in _files(Path(settings.MEDIA_ROOT)):
                    _add(archive, f"media/{name}", path, members, False)
                for name, path in _files(Path(settings.PRIVATE_MEDIA_ROOT)):
                    sealed = work_dir / "private.enc"
                    member = f"private/{name}.enc"
                    with path.open("rb") as plain, sealed.open("wb") as out:
                        encrypt_stream(key, member, plain, out)
                    _add(archive, member, sealed, members, True)
                manifest = {
                    "format": FORMAT,
                    "created_at": datetime.now(UTC).isoformat(),
                    "database": kind,
                    "migrations": migrations,
                    "members": [member.__dict__ for member in members],
                }
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
                archive.addfile(info, io.BytesIO(data))
            os.chmod(partial, 0o600)
            partial.rename(final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    (folder / f"{final.name}.sha256").write_text(f"{_sha256(final)}  {final.name}\n")
    if keep > 0:
        prune(folder, keep)
    return BackupResult(
        path=final,
        files=sum(1 for m in members if not m.name.startswith("database.")),
        bytes=final.stat().st_size,
        seconds=time.monotonic() - started,
    )


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` archives (and their .sha256 files)."""
    archives = sorted(folder.glob("driverhome-*.tar"))
    removed = archives[:-keep] if keep else []
    for path in removed:
        path.unlink()
        Path(f"{path}.sha256").unlink(missing_ok=True)
    return removed


# --- Restore ---------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
    except (KeyError, ValueError):
        raise BackupError("Not a Driver Home backup (no readable manifest)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}")
    return manifest


def verify(path: Path) -> dict:
    """Check every member's size and SHA-256 against the manifest; return the manifest."""
    with tarfile.open(path, "r") as archive:
        manifest = read_manifest(archive)
        expected = {m["name"]: m for m in manifest["members"]}
        seen = set()
        for info in archive:
            if info.name == "manifest.json":
                continue
            entry = expected.get(info.name)
            if entry is None or not info.isfile():
                raise BackupError(f"Unexpected member in the archive: {info.name}")
            digest = hashlib.sha256()
            handle = archive.extractfile(info)
            while block := handle.read(CHUNK):  # type: ignore[union-attr]
                digest.update(block)
            if digest.hexdigest() != entry["sha256"] or info.size != entry["size"]:
                raise BackupError(f"Checksum mismatch: {info.name}")
            seen.add(info.name)
        missing = set(expected) - seen
        if missing:
            raise BackupError(f"Members missing from the archive: {sorted(missing)[:5]}")
    return manifest


def _database_is_empty() -> bool:
    return not [t for t in connection.introspection.table_names() if t != "portal_cache"]


def _safe_target(root: Path, name: str) -> Path:
    target = (root / name).resolve()
    if not target.is_relative_to(root.resolve()):
        raise BackupError(f"Refusing a path outside the folder: {name}")
    return target


def restore(path: Path, *, key: bytes | None = None) -> dict:
    """Restore ``path`` into this (empty) installation; return figures.

    Refuses when the database already has tables or an upload folder already holds files,
    so a restore never mixes two sites. Checks every checksum first.
    """
    started = time.monotonic()
    key = key or load_key()
    manifest = verify(path)
    media_root, private_root = Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)
    for root in (media_root, private_root):
        if any(_files(root)):
            raise BackupError(f"{root} is not empty: restore into an empty installation")
    kind = manifest["database"]
    expected_vendor = {"sqlite3": "sqlite", "pgdump": "postgresql"}[kind]
    if connection.vendor != expected_vendor:
        raise BackupError(
            f"The archive holds a {expected_vendor} database; this installation uses "
            f"{connection.vendor}"
        )
    files = 0
    with tempfile.TemporaryDirectory(prefix="driverhome-restore-") as work:
        work_dir = Path(work)
        with tarfile.open(path, "r") as archive:
            plain_db = work_dir / "database"
            sealed = archive.extractfile(f"database.{kind}.enc")
            with plain_db.open("wb") as out:
                decrypt_stream(key, f"database.{kind}.enc", sealed, out)
            _restore_database(kind, plain_db)
            for info in archive:
                if info.name.startswith("media/"):
                    target = _safe_target(media_root, info.name[len("media/") :])
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.extractfile(info) as data, target.open("xb") as out:  # type: ignore[union-attr]
                        shutil.copyfileobj(data, out)
                    files += 1
                elif info.name.startswith("private/"):
                    name = info.name[len("private/") : -len(".enc")]
                    target = _safe_target(private_root, name)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    with archive.extractfile(info) as data, target.open("xb") as out:  # type: ignore[union-attr]
                        decrypt_stream(key, info.name, data, out)
                    os.chmod(target, 0o600)
                    files += 1
    return {"files": files, "seconds": time.monotonic() - started, "database": kind}


def _restore_database(kind: str, plain_db: Path) -> None:
    settings_dict = connection.settings_dict
    if kind == "sqlite3":
        name = Path(str(settings_dict["NAME"]))
        if name.exists() and name.stat().st_size > 0:
            raise BackupError(f"{name} exists: restore into an empty installation")
        connection.close()
        name.parent.mkdir(parents=True, exist_ok=True)
        partial = name.with_name(f".{name.name}.restoring")
        _sqlite_copy(str(plain_db), partial)
        partial.rename(name)
        return
    if not _database_is_empty():
        raise BackupError("The database has tables: restore into an empty database")
    connection.close()
    env, args = _pg_env_args(settings_dict)
    done = subprocess.run(  # noqa: S603 (fixed program, arguments from settings)
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", *args]
        + ["-d", str(settings_dict["NAME"]), str(plain_db)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[-500:]}")
