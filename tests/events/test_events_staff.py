"""Organizers' event and visit pages: access, forms, bad input, effects."""

import os
from datetime import UTC, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.roles import ORGANIZERS
from events.models import Event, EventPhoto, Visit

pytestmark = pytest.mark.django_db


def _png(size=(64, 48), name="cover.png"):
    buffer = BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _form_data(organisation, **overrides):
    starts = timezone.localtime(timezone.now() + timedelta(days=5))
    data = {
        "kind": "summer_cooling",
        "title": "夏送清凉进站点",
        "description": "为司机送上绿豆汤。\n\n详情：https://example.cn/x",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "place": "港口停车场",
        "organisation": organisation.pk,
        "capacity": "50",
        "status": "scheduled",
        "status_note": "",
        "published": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def other_event(make_event, branch_b):
    return make_event("乙支部的活动", organisation=branch_b)


# --- Access ----------------------------------------------------------------------------


def test_staff_events_sends_anonymous_to_sign_in(client):
    response = client.get(reverse("events:staff-list"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_events_refuses_other_staff(client, dispatcher):
    client.force_login(dispatcher)
    assert client.get(reverse("events:staff-list")).status_code == 404
    assert client.get(reverse("events:staff-visits")).status_code == 404


def test_organizer_gets_404_on_another_organisations_event(client, organizer, other_event):
    client.force_login(organizer)
    for name in ("events:staff-edit", "events:staff-cancel", "events:staff-report"):
        assert client.get(reverse(name, args=[other_event.pk])).status_code == 404
    response = client.post(reverse("events:staff-publish", args=[other_event.pk]))
    assert response.status_code == 404
    response = client.post(
        reverse("events:staff-cancel", args=[other_event.pk]), {"note": "恶意取消"}
    )
    assert response.status_code == 404
    other_event.refresh_from_db()
    assert other_event.status == Event.Status.SCHEDULED and other_event.sequence == 0


def test_organizer_of_committee_edits_branch_events(client, make_user, committee, other_event):
    chief = make_user("chief", ORGANIZERS, [committee])
    client.force_login(chief)
    assert client.get(reverse("events:staff-edit", args=[other_event.pk])).status_code == 200


def test_staff_list_shows_only_own_organisations_events(client, organizer, make_event, other_event):
    make_event("甲支部的活动")
    client.force_login(organizer)
    html = client.get(reverse("events:staff-list")).content.decode()
    assert "甲支部的活动" in html and "乙支部的活动" not in html


def test_superuser_sees_every_event(client, superuser, other_event):
    client.force_login(superuser)
    assert client.get(reverse("events:staff-edit", args=[other_event.pk])).status_code == 200


def test_organizer_cannot_pick_another_organisation(client, organizer, branch_b):
    client.force_login(organizer)
    response = client.post(reverse("events:staff-new"), _form_data(branch_b))
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Event.objects.exists()


# --- Create, edit, publish, cancel, report ----------------------------------------------


def test_organizer_creates_event_with_cover(client, organizer, branch_a):
    client.force_login(organizer)
    data = _form_data(branch_a, cover_upload=_png())
    response = client.post(reverse("events:staff-new"), data)
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.created_by == organizer and event.sequence == 0 and event.published
    assert event.cover.name.endswith(".jpg") and event.cover_small
    assert timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M") == data["starts_at"]


@pytest.mark.parametrize(
    ("time_zone", "stored"),
    [("Asia/Shanghai", "2030-07-15T15:30:00+00:00"), ("UTC", "2030-07-15T23:30:00+00:00")],
)
def test_staff_form_reads_times_in_the_time_zone_setting(
    client, organizer, branch_a, settings, time_zone, stored
):
    settings.TIME_ZONE = time_zone
    client.force_login(organizer)
    html = client.get(reverse("events:staff-new")).content.decode()
    assert f"当地时间（{time_zone}）" in html  # the help text names the zone
    data = _form_data(branch_a, starts_at="2030-07-15T23:30", ends_at="2030-07-16T00:30")
    assert client.post(reverse("events:staff-new"), data).status_code == 302
    event = Event.objects.get()
    assert event.starts_at.astimezone(UTC).isoformat() == stored


def test_editing_bumps_sequence(client, organizer, make_event, branch_a):
    event = make_event("旧标题")
    client.force_login(organizer)
    url = reverse("events:staff-edit", args=[event.pk])
    assert client.post(url, _form_data(branch_a, title="新标题")).status_code == 302
    assert client.post(url, _form_data(branch_a, title="新标题2")).status_code == 302
    event.refresh_from_db()
    assert event.title == "新标题2" and event.sequence == 2


def test_publish_and_withdraw(client, organizer, make_event):
    event = make_event(published=False)
    client.force_login(organizer)
    url = reverse("events:staff-publish", args=[event.pk])
    client.post(url, {"published": "1"})
    event.refresh_from_db()
    assert event.published and event.sequence == 1
    assert client.get(event.get_absolute_url()).status_code == 200
    # Withdrawing asks first; only the confirmed request takes the notice off.
    asked = client.post(url, {"published": "0"})
    assert asked.status_code == 200 and 'name="confirmed"' in asked.content.decode()
    event.refresh_from_db()
    assert event.published
    client.post(url, {"published": "0", "confirmed": "1"})
    event.refresh_from_db()
    assert not event.published
    assert client.get(event.get_absolute_url()).status_code == 404


def test_cancel_needs_a_note_then_marks_cancelled(client, organizer, make_event):
    event = make_event()
    client.force_login(organizer)
    url = reverse("events:staff-cancel", args=[event.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 200 and "note" in response.context["form"].errors
    event.refresh_from_db()
    assert event.status == Event.Status.SCHEDULED
    assert client.post(url, {"note": "台风停办"}).status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED and event.status_note == "台风停办"


def test_report_records_people_and_photos(client, organizer, make_event):
    event = make_event(days=-1)
    client.force_login(organizer)
    url = reverse("events:staff-report", args=[event.pk])
    response = client.post(
        url,
        {
            "people_reached": "120",
            "report": "发放防暑用品120份。",
            "photos": [_png(name="a.png"), _png(name="b.png")],
            "photo_caption": "现场",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.people_reached == 120 and event.report == "发放防暑用品120份。"
    assert EventPhoto.objects.filter(event=event, caption="现场").count() == 2


def test_report_with_one_bad_photo_saves_nothing(client, organizer, make_event):
    event = make_event(days=-1)
    client.force_login(organizer)
    bad = SimpleUploadedFile("x.png", b"<svg><script>alert(1)</script></svg>")
    response = client.post(
        reverse("events:staff-report", args=[event.pk]),
        {"people_reached": "10", "report": "ok", "photos": [_png(), bad]},
    )
    assert response.status_code == 200
    assert "photos" in response.context["form"].errors
    event.refresh_from_db()
    assert event.people_reached is None and not EventPhoto.objects.exists()


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": "2030-07-15T08:00", "starts_at": "2030-07-15T09:00"}, "ends_at"),
        ({"kind": "party"}, "kind"),
        ({"kind": "summer\x00cooling"}, "kind"),
        ({"description": "好活动<script>alert(1)</script>"}, "description"),
        ({"title": "<b>标题</b>"}, "title"),
        ({"starts_at": "明天"}, "starts_at"),
        ({"place": "", "station": ""}, "place"),
        ({"status": "postponed", "status_note": ""}, "status_note"),
        ({"capacity": "-3"}, "capacity"),
        ({"cover_upload": SimpleUploadedFile("x.jpg", b"not an image")}, "cover_upload"),
    ],
)
def test_bad_event_input_gets_form_error_and_saves_nothing(
    client, organizer, branch_a, make_event, overrides, field
):
    client.force_login(organizer)
    response = client.post(reverse("events:staff-new"), _form_data(branch_a, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "请更正下面的错误" in response.content.decode()
    assert not Event.objects.exists()
    # An invalid edit leaves the saved row as it was.
    event = make_event("原标题")
    url = reverse("events:staff-edit", args=[event.pk])
    assert (
        client.post(url, _form_data(branch_a, **{"title": "改了", **overrides})).status_code == 200
    )
    event.refresh_from_db()
    assert event.title == "原标题" and event.sequence == 0


def test_oversized_cover_is_refused(client, organizer, branch_a, monkeypatch):
    import portal.lib.images

    monkeypatch.setattr(portal.lib.images, "MAX_PIXELS", 1000)
    monkeypatch.setattr(portal.lib.images, "MAX_FULL_DECODE_PIXELS", 1000)
    client.force_login(organizer)
    data = _form_data(branch_a, cover_upload=_png(size=(100, 100)))
    response = client.post(reverse("events:staff-new"), data)
    assert response.status_code == 200
    assert "cover_upload" in response.context["form"].errors
    assert not Event.objects.exists()


# --- Visits ------------------------------------------------------------------------------


def test_organizer_records_a_visit(client, organizer, branch_a):
    client.force_login(organizer)
    data = {
        "date": "2026-07-20",
        "organisation": branch_a.pk,
        "person_times": "35",
        "given": "绿豆汤、藿香正气水",
        "notes": "港口停车场",
    }
    assert client.post(reverse("events:staff-visit-new"), data).status_code == 302
    visit = Visit.objects.get()
    assert visit.person_times == 35 and visit.created_by == organizer
    html = client.get(reverse("events:staff-visits")).content.decode()
    assert "35" in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"person_times": "0"}, "person_times"),
        ({"date": "2026-13-40"}, "date"),
        ({"notes": "<script>x</script>"}, "notes"),
    ],
)
def test_bad_visit_input_saves_nothing(client, organizer, branch_a, overrides, field):
    client.force_login(organizer)
    data = {"date": "2026-07-20", "organisation": branch_a.pk, "person_times": "3", **overrides}
    response = client.post(reverse("events:staff-visit-new"), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not Visit.objects.exists()


def test_organizer_gets_404_on_another_organisations_visit(client, organizer, branch_b):
    visit = Visit.objects.create(date="2026-07-01", organisation=branch_b, person_times=5)
    client.force_login(organizer)
    assert client.get(reverse("events:staff-visit-edit", args=[visit.pk])).status_code == 404
    html = client.get(reverse("events:staff-visits")).content.decode()
    assert reverse("events:staff-visit-edit", args=[visit.pk]) not in html


# --- Admin -------------------------------------------------------------------------------


def test_admin_lists_events_and_visits_for_superuser(client, superuser, make_event, branch_b):
    make_event("甲的活动")
    Visit.objects.create(date="2026-07-01", organisation=branch_b, person_times=5)
    client.force_login(superuser)
    html = client.get(reverse("admin:events_event_changelist")).content.decode()
    assert "甲的活动" in html
    assert client.get(reverse("admin:events_visit_changelist")).status_code == 200


def test_admin_scopes_organizer_to_own_organisations(client, organizer, make_event, other_event):
    from django.contrib.auth.models import Permission

    organizer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_event", "change_event"])
    )
    own = make_event("甲的活动")
    client.force_login(organizer)
    html = client.get(reverse("admin:events_event_changelist")).content.decode()
    assert "甲的活动" in html and "乙支部的活动" not in html
    url = reverse("admin:events_event_change", args=[other_event.pk])
    assert client.get(url).status_code in (302, 404)
    assert client.get(reverse("admin:events_event_change", args=[own.pk])).status_code == 200


def test_replacing_the_cover_removes_the_old_files(
    client, organizer, branch_a, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("events:staff-new"), _form_data(branch_a, cover_upload=_png()))
    event = Event.objects.get()
    old = event.cover.path
    url = reverse("events:staff-edit", args=[event.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form_data(branch_a, cover_upload=_png(name="new.png")))
    event.refresh_from_db()
    assert event.cover and event.cover.path != old

    assert not os.path.exists(old) and os.path.exists(event.cover.path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form_data(branch_a, remove_cover="on"))
    event.refresh_from_db()
    assert not event.cover and not event.cover_small
