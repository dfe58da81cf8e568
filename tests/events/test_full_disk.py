"""A full disk while an organizer stores a cover or report photos: a form error, no row,
no file (the disk fills up part-way: the large rendition is written, the small one not)."""

from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from events.models import Event, EventPhoto
from tests.conftest import files_under


def _png(name="cover.png"):
    buffer = BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _event_data(organisation, **overrides):
    starts = timezone.localtime(timezone.now() + timedelta(days=5))
    return {
        "kind": "summer_cooling",
        "title": "磁盘满时的活动",
        "description": "",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "港口停车场",
        "organisation": organisation.pk,
        "capacity": "",
        "status": "scheduled",
        "status_note": "",
        **overrides,
    }


NOT_STORED = "服务器存储空间已满"


def test_cover_on_a_full_disk_gives_a_form_error_and_stores_nothing(
    client, organizer, branch_a, full_disk
):
    client.force_login(organizer)
    response = client.post(reverse("events:staff-new"), _event_data(branch_a, cover_upload=_png()))
    assert response.status_code == 200
    assert full_disk.writes == 2  # the large rendition was written, the small one failed
    errors = response.context["form"].errors["cover_upload"]
    assert any(NOT_STORED in error for error in errors), errors
    html = response.content.decode()
    assert NOT_STORED in html and 'value="磁盘满时的活动"' in html
    assert not Event.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_new_cover_on_a_full_disk_keeps_the_old_one(
    client, organizer, branch_a, make_event, full_disk
):
    event = make_event("原标题")
    full_disk.writes_that_fit = 2
    client.force_login(organizer)
    url = reverse("events:staff-edit", args=[event.pk])
    assert client.post(url, _event_data(branch_a, cover_upload=_png())).status_code == 302
    event.refresh_from_db()
    old = sorted(files_under(settings.MEDIA_ROOT))
    assert len(old) == 2 and event.sequence == 1

    response = client.post(url, _event_data(branch_a, title="改了", cover_upload=_png()))
    assert response.status_code == 200
    assert "cover_upload" in response.context["form"].errors
    assert 'value="改了"' in response.content.decode()
    # The page still shows the cover that is stored.
    assert event.cover_small.url in response.content.decode()
    event.refresh_from_db()
    assert event.title == "磁盘满时的活动" and event.sequence == 1
    assert sorted(files_under(settings.MEDIA_ROOT)) == old
    assert event.cover.path in map(str, old) and event.cover_small.path in map(str, old)


def test_report_photos_on_a_full_disk_give_a_form_error_and_store_nothing(
    client, organizer, make_event, full_disk
):
    event = make_event(days=-1)
    # The first photo is stored whole, the second's large rendition too: then the disk is full.
    full_disk.writes_that_fit = 3
    client.force_login(organizer)
    response = client.post(
        reverse("events:staff-report", args=[event.pk]),
        {
            "people_reached": "120",
            "report": "发放防暑用品120份。",
            "photos": [_png("a.png"), _png("b.png")],
            "photo_caption": "现场",
        },
    )
    assert response.status_code == 200
    assert full_disk.writes == 4
    errors = response.context["form"].errors["photos"]
    assert any(NOT_STORED in error for error in errors), errors
    assert "发放防暑用品120份。" in response.content.decode()
    event.refresh_from_db()
    assert event.people_reached is None and event.report == "" and event.sequence == 0
    assert not EventPhoto.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []
