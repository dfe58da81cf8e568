"""Writes for stations: photos (files), and the live status kept from the road."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from portal.lib import translated
from portal.lib.images import ProcessedImage
from portal.lib.storage import files_or_nothing, store_image_pair

from .models import (
    Amenity,
    ParkingLevel,
    ParkingReport,
    ReportSource,
    Station,
    StationAmenity,
    StationChange,
    StationCorrection,
    StationPhoto,
)


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


# --- Live status, kept from the road (the station manager's console, drivers' reports) ---
#
# Every change of a station's live status goes through these functions, so each is
# recorded (``StationChange``: who, when, what) in the same transaction.


def _record(station: Station, kind: str, actor: User | None, summary: str, now: datetime) -> None:
    StationChange.objects.create(
        station=station, kind=kind, actor=actor, summary=summary[:400], created_at=now
    )


def _locked(station: Station) -> Station:
    return Station.objects.select_for_update().get(pk=station.pk)


def station_parking_report(
    *,
    station: Station,
    level: str,
    source: str,
    free_spaces: int | None = None,
    actor: User | None = None,
    form_token: str | None = None,
    now: datetime | None = None,
) -> tuple[ParkingReport, bool]:
    """Store a parking report and show it if it is the newest; return (report, created).

    ``form_token`` (drivers' form) makes a resent POST return the first report. The
    station row is locked, so concurrent reports keep the newest one shown. A driver's
    report records nothing about the driver.
    """
    if form_token:
        existing = ParkingReport.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing, False
    now = now or timezone.now()
    if level == ParkingLevel.FULL:
        free_spaces = 0
    try:
        with transaction.atomic():
            station = _locked(station)
            report = ParkingReport.objects.create(
                station=station,
                source=source,
                level=level,
                free_spaces=free_spaces,
                form_token=form_token or None,
                created_at=now,
            )
            if station.parking_reported_at is None or station.parking_reported_at <= now:
                station.parking_level = level
                station.parking_free = free_spaces
                station.parking_source = source
                station.parking_reported_at = now
                station.save(
                    update_fields=[
                        "parking_level",
                        "parking_free",
                        "parking_source",
                        "parking_reported_at",
                        "updated_at",
                    ]
                )
            if source == ReportSource.STATION:
                label = str(ParkingLevel(level).label)
                if free_spaces is not None and level != ParkingLevel.FULL:
                    label = f"{label} ({free_spaces})"
                _record(station, StationChange.Kind.PARKING, actor, label, now)
    except IntegrityError:
        existing = ParkingReport.objects.filter(form_token=form_token).first()
        if existing is None:
            raise
        return existing, False
    return report, True


def station_amenity_set(
    *,
    row: StationAmenity,
    live_status: str,
    note: str = "",
    until: datetime | None = None,
    actor: User | None = None,
    note_en: str = "",
    note_vi: str = "",
) -> StationAmenity:
    """Set an amenity's live status, note and expected end; record the change.

    ``note`` is the Chinese text; ``note_en`` and ``note_vi`` its optional translations (each
    stored in its own column whatever the page's language; left out, they are emptied).
    """
    now = timezone.now()
    with transaction.atomic():
        _locked(row.station)
        row = StationAmenity.objects.select_for_update().select_related("amenity").get(pk=row.pk)
        row.live_status = live_status
        available = live_status == StationAmenity.LiveStatus.AVAILABLE
        texts = ("", "", "") if available else (note.strip(), note_en.strip(), note_vi.strip())
        notes = translated.set_texts(row, "status_note", *texts)
        row.status_until = None if available else until
        row.save(update_fields=["live_status", *notes, "status_until", "updated_at"])
        summary = f"{row.amenity.code}: {row.get_live_status_display()}"
        if texts[0]:
            summary += f" — {texts[0]}"
        _record(row.station, StationChange.Kind.AMENITY, actor, summary, now)
        # The station's own time moves too: the feed's Last-Modified reads it.
        Station.objects.filter(pk=row.station_id).update(updated_at=now)
    return row


def station_close(
    *,
    station: Station,
    reason: str,
    reopens_at: datetime | None = None,
    actor: User | None = None,
    reason_en: str = "",
    reason_vi: str = "",
) -> Station:
    """Close the station for now, with the reason drivers read and the expected reopening.

    ``reason`` is the Chinese text; ``reason_en`` and ``reason_vi`` its optional translations.
    """
    now = timezone.now()
    with transaction.atomic():
        station = _locked(station)
        station.status = Station.Status.TEMPORARILY_CLOSED
        chinese = reason.strip()
        reasons = translated.set_texts(
            station, "closure_reason", chinese, reason_en.strip(), reason_vi.strip()
        )
        station.reopens_at = reopens_at
        station.save(update_fields=["status", *reasons, "reopens_at", "updated_at"])
        _record(station, StationChange.Kind.CLOSED, actor, chinese, now)
    return station


def station_reopen(*, station: Station, actor: User | None = None) -> Station:
    """Open a temporarily closed station again."""
    now = timezone.now()
    with transaction.atomic():
        station = _locked(station)
        station.status = Station.Status.OPEN
        reasons = translated.set_chinese(station, "closure_reason", "")
        station.reopens_at = None
        station.save(update_fields=["status", *reasons, "reopens_at", "updated_at"])
        _record(station, StationChange.Kind.REOPENED, actor, "", now)
    return station


def station_check(*, station: Station, actor: User | None = None) -> Station:
    """Record that the station was checked today: the last-verified date moves to today."""
    now = timezone.now()
    with transaction.atomic():
        station = _locked(station)
        station.last_verified = timezone.localdate(now)
        station.save(update_fields=["last_verified", "updated_at"])
        _record(station, StationChange.Kind.CHECKED, actor, station.last_verified.isoformat(), now)
    return station


# --- Drivers' corrections -----------------------------------------------------------------

# Corrections whose change the portal can make itself on acceptance; the others (hours,
# closed for good, a missing amenity) prompt the manager to change the station by hand.
APPLIED_ON_ACCEPT = {
    StationCorrection.Kind.PHONE,
    StationCorrection.Kind.POSITION,
    StationCorrection.Kind.AMENITY_OUT,
}


class CorrectionError(Exception):
    """The correction cannot be handled as asked (already handled, nothing to apply)."""


def station_correction_submit(
    *,
    station: Station,
    kind: str,
    text: str = "",
    amenity: Amenity | None = None,
    phone: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    form_token: str | None = None,
) -> tuple[StationCorrection, bool]:
    """Queue a driver's correction once per form token; return (correction, created).

    Nothing about the driver is stored.
    """
    if form_token:
        existing = StationCorrection.objects.filter(form_token=form_token).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            correction = StationCorrection.objects.create(
                station=station,
                kind=kind,
                text=text.strip(),
                amenity=amenity,
                phone=phone,
                latitude=latitude,
                longitude=longitude,
                form_token=form_token or None,
                created_at=timezone.now(),
            )
    except IntegrityError:
        existing = StationCorrection.objects.filter(form_token=form_token).first()
        if existing is None:
            raise
        return existing, False
    return correction, True


def _locked_open_correction(correction: StationCorrection) -> StationCorrection:
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of a join.
    correction = StationCorrection.objects.select_for_update().get(pk=correction.pk)
    if correction.state != StationCorrection.State.OPEN:
        raise CorrectionError(gettext("This correction was already handled."))
    return correction


def _apply(correction: StationCorrection, station: Station) -> list[str]:
    """Make the change the correction asks for; return the station fields changed."""
    kind = correction.kind
    if kind == StationCorrection.Kind.PHONE and correction.phone:
        station.phone = correction.phone
        return ["phone"]
    if kind == StationCorrection.Kind.POSITION and correction.latitude is not None:
        station.latitude, station.longitude = correction.latitude, correction.longitude
        return ["latitude", "longitude"]
    if kind == StationCorrection.Kind.AMENITY_OUT and correction.amenity_id is not None:
        StationAmenity.objects.filter(station=station, amenity=correction.amenity).update(
            live_status=StationAmenity.LiveStatus.OUT_OF_ORDER,
            **translated.chinese_only("status_note", correction.text[:200]),
            updated_at=timezone.now(),
        )
    return []


def station_correction_accept(
    *, correction: StationCorrection, actor: User | None
) -> StationCorrection:
    """Accept a correction: apply it where the portal can (phone, position, an amenity out
    of order), move the station's last-verified date to today, and record it."""
    now = timezone.now()
    with transaction.atomic():
        correction = _locked_open_correction(correction)
        station = _locked(correction.station)
        fields = _apply(correction, station)
        station.last_verified = timezone.localdate(now)
        station.save(update_fields=[*fields, "last_verified", "updated_at"])
        correction.state = StationCorrection.State.ACCEPTED
        correction.handled_by, correction.handled_at = actor, now
        correction.save(update_fields=["state", "handled_by", "handled_at"])
        summary = f"{correction.kind}: accepted"
        if correction.text:
            summary += f" — {correction.text}"
        _record(station, StationChange.Kind.CORRECTION, actor, summary, now)
    return correction


def station_correction_dismiss(
    *, correction: StationCorrection, actor: User | None, reason: str
) -> StationCorrection:
    """Dismiss a correction with the reason (required)."""
    reason = reason.strip()
    if not reason:
        raise CorrectionError(gettext("Give a reason."))
    now = timezone.now()
    with transaction.atomic():
        correction = _locked_open_correction(correction)
        correction.state = StationCorrection.State.DISMISSED
        correction.reason = reason
        correction.handled_by, correction.handled_at = actor, now
        correction.save(update_fields=["state", "reason", "handled_by", "handled_at"])
        _record(
            correction.station,
            StationChange.Kind.CORRECTION,
            actor,
            f"{correction.kind}: dismissed — {reason}",
            now,
        )
    return correction
