"""Writes for stations that involve files."""

from django.db import transaction

from portal.lib.images import ProcessedImage
from portal.lib.storage import files_or_nothing, store_image_pair

from .models import StationPhoto


def station_photo_save(*, photo: StationPhoto, image: ProcessedImage | None) -> StationPhoto:
    """Save ``photo`` (an unsaved form instance), with ``image``'s renditions if given.

    Raises ValidationError (code ``not_stored``) if a file cannot be written (a full disk):
    then no row is saved and none of its files stay.
    """
    with transaction.atomic(), files_or_nothing():
        if image is not None:
            store_image_pair(large=photo.large, small=photo.small, image=image, stem="photo")
            photo.width, photo.height = image.width, image.height
        photo.save()
    return photo
