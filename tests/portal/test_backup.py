"""Backups restore: the drill on SQLite and PostgreSQL, encryption, checks and refusals."""

import io
import os
import shutil
import tarfile
from pathlib import Path

import pytest
from django.db import connection

from bench.restore_drill import run_drill
from portal import backup

KEY = bytes(range(32))


def _drill_checks(tmp_path, figures):
    assert figures["row_differences"] == 0, figures["row_difference_details"]
    assert figures["file_differences"] == 0
    # The backup was taken while requests were being posted, and some came after it.
    assert figures["help_requests_posted_during_backup"] > 0
    assert 0 < figures["help_requests_in_backup"] < figures["help_requests_posted"]
    assert figures["files"] >= 8
    archive = next((tmp_path / "backups").glob("driverhome-*.tar"))
    data = archive.read_bytes()
    # Personal data and private documents are not readable in the archive.
    assert b"13800138000" not in data
    assert b"%PDF-1.4" not in data
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert all(name.endswith(".enc") for name in names if name.startswith("private/"))
    return archive


def test_restore_drill_sqlite(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    figures = run_drill(tmp_path)
    assert figures["database"] == "sqlite"
    archive = _drill_checks(tmp_path, figures)
    # A changed byte anywhere is found before anything is restored.
    broken = tmp_path / "broken.tar"
    shutil.copy(archive, broken)
    with broken.open("r+b") as handle:
        handle.seek(2000)
        byte = handle.read(1)
        handle.seek(2000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(backup.BackupError):
        backup.verify(broken)


@pytest.mark.postgres
@pytest.mark.django_db
def test_restore_drill_postgresql(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    assert os.environ["DATABASE_URL"].startswith("postgres")
    figures = run_drill(tmp_path)
    assert figures["database"] == "postgresql"
    _drill_checks(tmp_path, figures)


def roundtrip(data: bytes, name="x", key=KEY) -> bytes:
    sealed = io.BytesIO()
    backup.encrypt_stream(KEY, name, io.BytesIO(data), sealed)
    out = io.BytesIO()
    backup.decrypt_stream(key, name, io.BytesIO(sealed.getvalue()), out)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, backup.CHUNK, backup.CHUNK * 2 + 5])
def test_encryption_roundtrips(size):
    data = os.urandom(size)
    assert roundtrip(data) == data


def test_wrong_key_or_moved_member_is_refused():
    with pytest.raises(backup.BackupError):
        roundtrip(b"secret", key=bytes(32))
    sealed = io.BytesIO()
    backup.encrypt_stream(KEY, "private/a.pdf.enc", io.BytesIO(b"secret"), sealed)
    with pytest.raises(backup.BackupError):
        backup.decrypt_stream(KEY, "private/b.pdf.enc", io.BytesIO(sealed.getvalue()), io.BytesIO())


def test_cut_short_encrypted_data_is_refused():
    data = os.urandom(backup.CHUNK + 10)
    sealed = io.BytesIO()
    backup.encrypt_stream(KEY, "x", io.BytesIO(data), sealed)
    # Drop the last chunk: the one before was not sealed as the last.
    cut = sealed.getvalue()[: len(backup.MAGIC) + 12 + 4 + backup.CHUNK + 16]
    with pytest.raises(backup.BackupError):
        backup.decrypt_stream(KEY, "x", io.BytesIO(cut), io.BytesIO())


def test_key_comes_from_the_environment_or_a_file(monkeypatch, tmp_path):
    monkeypatch.delenv("BACKUP_KEY", raising=False)
    monkeypatch.delenv("BACKUP_KEY_FILE", raising=False)
    with pytest.raises(backup.BackupError, match="No backup key"):
        backup.load_key()
    key = backup.generate_key()
    key_file = tmp_path / "key"
    key_file.write_text(key + "\n")
    monkeypatch.setenv("BACKUP_KEY_FILE", str(key_file))
    assert len(backup.load_key()) == 32
    monkeypatch.setenv("BACKUP_KEY", "too-short")
    with pytest.raises(backup.BackupError, match="32 bytes"):
        backup.load_key()


def test_prune_keeps_the_newest(tmp_path):
    for stamp in ("20260101", "20260102", "20260103"):
        (tmp_path / f"driverhome-{stamp}T000000Z.tar").write_bytes(b"x")
        (tmp_path / f"driverhome-{stamp}T000000Z.tar.sha256").write_text("x")
    backup.prune(tmp_path, 2)
    assert sorted(p.name for p in tmp_path.glob("*.tar")) == [
        "driverhome-20260102T000000Z.tar",
        "driverhome-20260103T000000Z.tar",
    ]
    assert len(list(tmp_path.glob("*.sha256"))) == 2


def test_restore_refuses_a_site_that_already_has_files(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "photo.jpg").write_bytes(b"x")
    archive = tmp_path / "a.tar"
    with tarfile.open(archive, "w") as tar:
        data = b'{"format": "driverhome-backup-1", "database": "sqlite3", "members": []}'
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(archive, key=KEY)
    assert Path(tmp_path / "media" / "photo.jpg").read_bytes() == b"x"
