"""Private file storage for dossier documents: never under a public URL."""

from django.conf import settings
from django.utils.deconstruct import deconstructible

from portal.lib.storage import AtomicFileSystemStorage


@deconstructible(path="members.storage.PrivateStorage")
class PrivateStorage(AtomicFileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, read at each use (tests move it).

    A failed write (a full disk) leaves no partial file (``AtomicFileSystemStorage``).

    There is no base URL: ``url()`` raises, so no template can link to a file directly.
    Files are only served by ``members.views.dossier_download``.
    """

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise ValueError("Private files have no URL; use members:dossier-download.")


private_storage = PrivateStorage()
