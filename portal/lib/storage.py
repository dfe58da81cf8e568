"""File storage that never leaves a half-written file behind.

Django's FileSystemStorage writes straight to the final name: when the disk fills up (or
any write fails) in the middle, a truncated file stays under that name. Here the content
goes to a hidden ``.partial-…`` file in the same folder first, which is removed on any
error; only a complete file is then linked to its final name (``os.link`` is atomic and
never overwrites). The error itself is raised again for the caller to report.
"""

import contextlib
import os
import secrets

from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


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
