"""File storage that never leaves a half-written file behind.

Django's FileSystemStorage writes straight to the final name: when the disk fills up (or
any write fails) in the middle, a truncated file stays under that name. Here the content
goes to a hidden ``.partial-…`` file in the same folder first, which is removed on any
error; only a complete file is then linked to its final name (``os.link`` is atomic and
never overwrites). The error itself is raised again for the caller to report.
"""

import contextlib
import logging
import os
import secrets
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from portal.lib.images import ProcessedImage


@deconstructible(path="portal.lib.storage.AtomicFileSystemStorage")
class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        directory, base = os.path.split(name)
        partial = os.path.join(directory, f".partial-{secrets.token_hex(8)}-{base}")
        try:
            partial = super()._save(partial, content)
        except OSError:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path(partial))
            raise
        source = self.path(partial)
        try:
            while True:
                try:
                    os.link(source, self.path(name))
                except FileExistsError:
                    name = self.get_available_name(name)
                else:
                    break
        finally:
            os.unlink(source)
        return os.path.relpath(self.path(name), self.location).replace("\\", "/")


# --- Writing uploads from a service: a full disk becomes a form error, never a 500 ------

logger = logging.getLogger(__name__)

# The files written so far by the outermost ``files_or_nothing`` block of this request.
_written: ContextVar[list[tuple[Any, str]] | None] = ContextVar("files_written", default=None)


def not_stored_message() -> str:
    return _(
        "The file could not be saved: the server's storage is full or not writable. "
        "Nothing was added; please try again later and tell the administrator."
    )


@contextlib.contextmanager
def files_or_nothing() -> Iterator[None]:
    """Remove every file saved with ``save_file`` inside this block if the block fails.

    Blocks nest: only the outermost one removes, so a failure anywhere in it (the second
    of two photos, the small rendition after the large one, a database error after the
    write) leaves none of the block's files behind. Rows are the caller's transaction's.
    """
    if _written.get() is not None:
        yield
        return
    written: list[tuple[Any, str]] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for storage, name in written:
            with contextlib.suppress(OSError):
                storage.delete(name)
        raise
    finally:
        _written.reset(token)


def save_file(field: FieldFile, name: str, content: File) -> None:
    """Save ``content`` into ``field`` (the row itself is not saved).

    Raises ValidationError (code ``not_stored``) if the storage cannot write it (a full
    disk, a read-only folder); the atomic storage leaves no partial file.
    """
    try:
        field.save(name, content, save=False)
    except OSError:
        logger.exception("an uploaded file could not be written")
        raise ValidationError(not_stored_message(), code="not_stored") from None
    written = _written.get()
    if written is not None:
        written.append((field.storage, field.name))


def store_image_pair(
    *, large: FieldFile, small: FieldFile, image: ProcessedImage, stem: str
) -> None:
    """Put the two sizes of a checked, re-encoded image into two file fields (row not saved).

    Raises ValidationError if either cannot be written; then neither is left on disk.
    """
    with files_or_nothing():
        save_file(large, f"{stem}.{image.extension}", image.files["large"])
        save_file(small, f"{stem}-small.{image.extension}", image.files["small"])
