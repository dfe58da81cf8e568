"""Organizers on a phone: postponing with a new date, reports only after the event, a
question before a notice comes off the portal, feedback that names the event, defaults."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import Event

from .test_events_staff import _form_data, _png

pytestmark = pytest.mark.django_db


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _message(response):
    return [str(m) for m in response.context["messages"]]


def test_postpone_to_a_new_date_keeps_the_old_one_everywhere(client, organizer, make_event):
    event = make_event(title="夏送清凉", days=3, hours=2)
    old_start = event.starts_at
    new_start = timezone.localtime(old_start + timedelta(days=7)).replace(second=0, microsecond=0)
    client.force_login(organizer)
    url = reverse("events:staff-postpone", args=[event.pk])
    # A deliberate error: no new date and no "to be announced"; the note is kept.
    response = client.post(url, {"note": "台风预警，改期举行"})
    assert response.status_code == 200
    assert "请填写新的日期" in response.content.decode()
    assert "台风预警，改期举行</textarea>" in response.content.decode()
    event.refresh_from_db()
    assert event.status == Event.Status.SCHEDULED
    response = client.post(
        url, {"note": "台风预警，改期举行", "starts_at": _local(new_start)}, follow=True
    )
    event.refresh_from_db()
    assert event.status == Event.Status.POSTPONED
    assert event.postponed_from == old_start and event.starts_at == new_start
    assert event.ends_at - event.starts_at == timedelta(hours=2)
    assert any(m.startswith("“夏送清凉”已改期至") for m in _message(response))
    old_text = timezone.localtime(old_start).strftime("%Y年%-m月%-d日")
    page = client.get(event.get_absolute_url()).content.decode()
    assert "由原定的" in page and old_text in page
    ics = client.get(reverse("events:ics", args=[event.pk])).content.decode("utf-8")
    assert "改期至" in ics and "由原定的" in ics.replace("\r\n ", "")
    feed = client.get(reverse("events:feed")).content.decode()
    assert "由原定的" in feed


def test_postpone_to_a_date_to_be_announced(client, organizer, make_event):
    event = make_event(title="送温暖")
    start = event.starts_at
    client.force_login(organizer)
    client.post(
        reverse("events:staff-postpone", args=[event.pk]),
        {"note": "场地维修", "to_be_announced": "on"},
    )
    event.refresh_from_db()
    assert event.date_to_be_announced and event.starts_at == start
    page = client.get(event.get_absolute_url()).content.decode()
    assert "新日期另行通知" in page


@pytest.mark.parametrize(
    ("days", "cancelled", "reason"), [(3, False, "尚未举行"), (-1, True, "已取消")]
)
def test_no_report_on_a_future_or_cancelled_event(
    client, organizer, make_event, days, cancelled, reason
):
    event = make_event(days=days)
    if cancelled:
        event.status = Event.Status.CANCELLED
        event.save()
    client.force_login(organizer)
    url = reverse("events:staff-report", args=[event.pk])
    response = client.post(url, {"people_reached": "5", "report": "提前写的"}, follow=True)
    assert any(reason in m for m in _message(response))
    event.refresh_from_db()
    assert event.report == "" and event.people_reached is None
    listing = client.get(reverse("events:staff-list")).content.decode()
    assert url not in listing


def test_withdraw_asks_first_and_names_the_event(client, organizer, make_event):
    event = make_event(title="夏送清凉")
    client.force_login(organizer)
    url = reverse("events:staff-publish", args=[event.pk])
    asked = client.post(url, {"published": "0"}).content.decode()
    assert "要从平台撤下“夏送清凉”吗？" in asked
    done = client.post(url, {"published": "0", "confirmed": "1"}, follow=True)
    assert "“夏送清凉”已从平台撤下。" in _message(done)


def test_saving_says_draft_or_published(client, organizer, branch_a):
    client.force_login(organizer)
    data = _form_data(branch_a, title="送清凉")
    data.pop("published")
    response = client.post(reverse("events:staff-new"), data, follow=True)
    assert _message(response) == ["“送清凉”已保存为草稿：发布之前司机看不到。"]


def test_a_chosen_cover_is_asked_for_again_at_the_field(client, organizer, branch_a):
    client.force_login(organizer)
    data = _form_data(branch_a, title="", cover_upload=_png())
    response = client.post(reverse("events:staff-new"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "title" in form.errors and "cover_upload" in form.errors
    assert "请重新选择封面图片" in response.content.decode()
    # Everything typed is kept.
    assert "为司机送上绿豆汤。" in response.content.decode()
    assert not Event.objects.exists()


def test_new_visit_defaults_to_today_and_my_organisation(client, organizer, branch_a):
    client.force_login(organizer)
    form = client.get(reverse("events:staff-visit-new")).context["form"]
    assert form.initial["date"] == timezone.localdate()
    assert form.initial["organisation"] == branch_a.pk


def test_new_event_defaults_to_my_organisation(client, organizer, branch_a):
    client.force_login(organizer)
    form = client.get(reverse("events:staff-new")).context["form"]
    assert form.initial["organisation"] == branch_a.pk
