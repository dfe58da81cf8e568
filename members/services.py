"""Writes to the member records: each one saved, logged and, where it matters, in the dossier.

Admin views, imports and the demo data call these functions; nothing writes member rows
in signals or ``save()`` overrides.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.models import User

from .documents import check_document
from .models import AccessLog, DossierEntry, PartyMembership, Person

logger = logging.getLogger(__name__)


def _author(user: Any) -> User | None:
    """The account to record as author: None for anonymous and the demo data."""
    return user if user is not None and user.is_authenticated else None


def access_log_record(
    *,
    user: Any,
    action: str,
    model: type[models.Model] | models.Model,
    object_id: object = "",
    count: int | None = None,
) -> AccessLog:
    """Write one access-log row: who, what action, which record. Never personal values."""
    if isinstance(model, models.Model):
        object_id = model.pk if object_id == "" else object_id
        model = type(model)
    return AccessLog.objects.create(
        user=_author(user),
        username=getattr(user, "username", "") or "",
        action=action,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id="" if object_id is None else str(object_id),
        count=count,
    )


# Autocomplete requests of one user on one model within this many seconds are one search.
SEARCH_FOLD_SECONDS = 60


def access_log_search(*, user: Any, model: type[models.Model]) -> AccessLog | None:
    """Log an autocomplete search once per search, not once per keystroke.

    The first request of ``user`` on ``model`` writes a row; further requests within
    ``SEARCH_FOLD_SECONDS`` of it belong to the same search and write nothing. The terms
    are never stored (they may be phone numbers). The window lives in the shared cache, so
    every worker process folds alike.
    """
    key = f"members:search-log:{getattr(user, 'pk', None)}:{model._meta.label_lower}"
    if not cache.add(key, 1, timeout=SEARCH_FOLD_SECONDS):
        return None
    return access_log_record(user=user, action=AccessLog.Action.SEARCH, model=model)


def record_save(
    *, instance: models.Model, user: Any, save_related: Callable[[], object] | None = None
) -> models.Model:
    """Save a member record (person, enterprise, pair, contact) and log the change.

    ``save_related`` is called inside the same transaction, for many-to-many data.
    """
    adding = instance._state.adding
    with transaction.atomic():
        instance.save()
        if save_related is not None:
            save_related()
        access_log_record(
            user=user,
            action=AccessLog.Action.ADD if adding else AccessLog.Action.CHANGE,
            model=instance,
        )
    return instance


def record_delete(*, instance: models.Model, user: Any) -> None:
    """Delete a record and log it (only superusers hold delete permissions)."""
    with transaction.atomic():
        pk = instance.pk
        model = type(instance)
        instance.delete()
        access_log_record(user=user, action=AccessLog.Action.DELETE, model=model, object_id=pk)


def _describe(membership: PartyMembership) -> list[str]:
    parts = [
        _("status: %(status)s") % {"status": membership.get_status_display()},
        _("organisation: %(name)s") % {"name": membership.organisation},
    ]
    if membership.is_mobile:
        parts.append(
            _("mobile member, home organisation: %(name)s") % {"name": membership.home_organisation}
        )
    else:
        parts.append(_("not a mobile member"))
    if membership.joined_on:
        parts.append(_("joined on %(date)s") % {"date": membership.joined_on.isoformat()})
    return parts


def membership_save(*, membership: PartyMembership, user: Any) -> PartyMembership:
    """Save a party membership; when anything about it changed, add a status entry.

    The dossier entry says what the membership was and what it is now, so the dossier
    stays a complete timeline without anyone writing it by hand.
    """
    with transaction.atomic():
        before = None
        if membership.pk:
            before = (
                PartyMembership.objects.select_for_update(of=("self",))
                .select_related("organisation", "home_organisation")
                .filter(pk=membership.pk)
                .first()
            )
        membership.save()
        new_parts = _describe(membership)
        if before is None:
            text = _("Membership recorded: %(now)s.") % {"now": "; ".join(new_parts)}
        else:
            old_parts = _describe(before)
            if old_parts == new_parts:
                text = ""
            else:
                text = _("Membership changed from %(before)s to %(now)s.") % {
                    "before": "; ".join(old_parts),
                    "now": "; ".join(new_parts),
                }
        if text:
            DossierEntry.objects.create(
                person_id=membership.person_id,
                kind=DossierEntry.Kind.STATUS,
                text=text,
                author=_author(user),
            )
        access_log_record(
            user=user,
            action=AccessLog.Action.ADD if before is None else AccessLog.Action.CHANGE,
            model=membership,
        )
    return membership


def dossier_note_add(*, person: Person, user: Any, text: str) -> DossierEntry:
    """Append a note to a member's dossier."""
    with transaction.atomic():
        entry = DossierEntry.objects.create(
            person=person, kind=DossierEntry.Kind.NOTE, text=text, author=_author(user)
        )
        access_log_record(user=user, action=AccessLog.Action.ADD, model=entry)
    return entry


def _not_stored() -> str:
    return _(
        "The file could not be saved: the server's storage is full or not writable. "
        "Nothing was added; please try again later and tell the administrator."
    )


def dossier_document_add(
    *, person: Person, user: Any, upload: File, text: str = ""
) -> DossierEntry:
    """Check ``upload`` by content and append it to the dossier; raise ValidationError.

    Images are re-encoded without metadata; the stored file gets a random name. A write
    that fails (a full disk) raises ValidationError too, leaving no file and no row.
    """
    checked = check_document(upload)
    entry = DossierEntry(
        person=person,
        kind=DossierEntry.Kind.DOCUMENT,
        text=text,
        content_kind=checked.content_kind,
        author=_author(user),
    )
    with transaction.atomic():
        # The stored name is random (``dossier_upload_to``); the one passed here is unused.
        try:
            entry.document.save(checked.content.name or "document", checked.content, save=False)
        except OSError:
            # A full disk or a read-only folder: the storage left no partial file.
            logger.exception("dossier document could not be written")
            raise ValidationError(_not_stored(), code="not_stored") from None
        stored_name = entry.document.name
        try:
            entry.save()
            access_log_record(user=user, action=AccessLog.Action.ADD, model=entry)
        except Exception:
            if stored_name:
                entry.document.storage.delete(stored_name)
            raise
    return entry
