"""Writes for care events and visits: each in one transaction, files included.

The organizers' staff pages and the Django admin both write through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from events.models import Event, EventPhoto, Visit
from members.models import Person
from portal.lib.images import ProcessedImage
from portal.lib.storage import files_or_nothing, store_image_pair

if TYPE_CHECKING:
    from accounts.models import User


def _store_cover(event: Event, cover: ProcessedImage | None, remove_cover: bool) -> None:
    if remove_cover or cover is not None:
        old = [
            (field.storage, field.name)
            for field in (event.cover, event.cover_small)
            if field.name is not None and field.name != ""
        ]

        def delete_old() -> None:
            for storage, name in old:
                if name:
                    storage.delete(name)

        # Delete the old files only once the new row is committed, so a failure keeps them.
        transaction.on_commit(delete_old)
        event.cover, event.cover_small = None, None
    if cover is not None:
        store_image_pair(large=event.cover, small=event.cover_small, image=cover, stem="cover")


@transaction.atomic
def event_save(
    *,
    event: Event,
    by: User | None,
    cover: ProcessedImage | None = None,
    remove_cover: bool = False,
) -> Event:
    """Create or update ``event`` (an unsaved form instance) and bump its calendar revision.

    Every change of a saved event raises SEQUENCE exactly once, under a row lock, so
    subscribed calendars replace their copy (the staff form and the admin both come here).
    """
    if event.pk is None:
        event.created_by = by
        event.sequence = 0
    else:
        event.sequence = (
            Event.objects.select_for_update().values_list("sequence", flat=True).get(pk=event.pk)
            + 1
        )
    kept = event.cover.name, event.cover_small.name
    try:
        with files_or_nothing():
            # A cover that cannot be written raises ValidationError: no row, no file.
            _store_cover(event, cover, remove_cover)
            event.save()
    except ValidationError:
        # The form is shown again with the cover that is still stored.
        event.cover, event.cover_small = kept
        raise
    return event


def _bump(event: Event, **changes: Any) -> Event:
    changes["sequence"] = F("sequence") + 1
    for name, value in changes.items():
        setattr(event, name, value)
    event.save(update_fields=[*changes, "updated_at"])
    event.refresh_from_db(fields=["sequence", "updated_at"])
    return event


@transaction.atomic
def event_publish(*, event: Event, published: bool = True) -> Event:
    """Publish (or withdraw) ``event``; the public pages and feeds follow at once."""
    return _bump(event, published=published)


@transaction.atomic
def event_cancel(*, event: Event, note: str) -> Event:
    """Cancel ``event`` with a note; it stays listed, marked cancelled, and feeds say so."""
    # The note is Chinese (the staff form's one field); older translations no longer apply.
    return _bump(
        event,
        status=Event.Status.CANCELLED,
        status_note=note,
        status_note_zh_hans=note,
        status_note_en="",
        status_note_vi="",
    )


@transaction.atomic
def event_postpone(
    *,
    event: Event,
    note: str,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> Event:
    """Postpone ``event`` to ``starts_at`` (its length kept unless ``ends_at`` is given), or
    with no ``starts_at`` to a date to be announced.

    The date first planned is kept (``postponed_from``, set once however often it moves), so
    the public page, the calendar and the feeds can say "from … to …".
    """
    changes: dict[str, Any] = {
        "status": Event.Status.POSTPONED,
        "status_note": note,
        "postponed_from": event.postponed_from or event.starts_at,
        "date_to_be_announced": starts_at is None,
    }
    if starts_at is not None:
        changes["starts_at"] = starts_at
        changes["ends_at"] = ends_at or starts_at + (event.ends_at - event.starts_at)
    return _bump(event, **changes)


@transaction.atomic
def event_record_report(
    *,
    event: Event,
    people_reached: int | None,
    report: str,
    photos: Sequence[tuple[ProcessedImage, str]] = (),
    report_en: str = "",
    report_vi: str = "",
) -> Event:
    """Record what happened at ``event``: people reached, a report and new photos.

    A photo that cannot be written (a full disk) raises ValidationError: nothing of the
    report is saved and none of its photos' files stay. An event that has not begun or was
    cancelled takes no report (ValidationError).
    """
    if not event.may_report():
        raise ValidationError(_("A report is for an event that has taken place."))
    with files_or_nothing():
        for processed, caption in photos:
            photo = EventPhoto(event=event, caption=caption)
            store_image_pair(
                large=photo.image, small=photo.thumbnail, image=processed, stem="photo"
            )
            photo.save()
        # ``report`` is the Chinese text, whatever the language of the staff page.
        return _bump(
            event,
            people_reached=people_reached,
            report=report,
            report_zh_hans=report,
            report_en=report_en,
            report_vi=report_vi,
        )


@transaction.atomic
def visit_save(*, visit: Visit, by: User | None, people: Iterable[Person] | None = None) -> Visit:
    """Create or update a care visit record (an unsaved form instance).

    ``people``: the member records ``by`` chose among those they may see, or None to leave
    the links alone. Links to people ``by`` may not see are kept as they are.
    """
    if visit.pk is None:
        visit.created_by = by
    visit.save()
    if people is not None:
        visible = Person.objects.visible_to(by)
        hidden = visit.people.exclude(pk__in=visible.values("pk"))
        visit.people.set([*hidden, *people])
    return visit
