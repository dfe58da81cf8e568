"""The Django admin writes events and visits through events.services, like the staff pages."""

import pytest
from django.urls import reverse

from events import services
from events.models import Event, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """Record every call of the event and visit services (and still run them)."""
    seen = []
    for name in ("event_save", "visit_save"):
        real = getattr(services, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            seen.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(services, name, spy)
    return seen


def _event_data(event, **changes):
    data = {
        "kind": event.kind,
        "title_zh_hans": event.title,
        "description_zh_hans": event.description,
        "starts_at_0": "2030-07-15",
        "starts_at_1": "09:00:00",
        "ends_at_0": "2030-07-15",
        "ends_at_1": "11:00:00",
        "station": "",
        "place": event.place,
        "organisation": event.organisation_id,
        "capacity": "",
        "status": event.status,
        "status_note_zh_hans": "",
        "published": "on",
        "people_reached": "",
        "report_zh_hans": "",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    # The admin edits every language of the texts: "title" is the Chinese column.
    for field in ("title", "description", "status_note", "report"):
        if field in changes:
            changes[f"{field}_zh_hans"] = changes.pop(field)
    data.update(changes)
    return data


def test_admin_edit_bumps_sequence_once_through_the_service(client, superuser, make_event, calls):
    event = make_event("旧标题")
    assert event.sequence == 0
    client.force_login(superuser)
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.post(url, _event_data(event, title="新标题"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.title == "新标题" and event.sequence == 1
    assert calls == ["event_save"]


def test_admin_create_goes_through_the_service(client, superuser, make_event, calls):
    template = make_event("模板")
    client.force_login(superuser)
    response = client.post(reverse("admin:events_event_add"), _event_data(template, title="新活动"))
    assert response.status_code == 302
    created = Event.objects.get(title="新活动")
    assert created.sequence == 0 and created.created_by == superuser
    assert calls == ["event_save"]


def test_admin_offers_organizers_only_their_organisations(
    client, organizer, make_event, branch_a, branch_b
):
    from django.contrib.auth.models import Permission

    organizer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_event", "change_event", "add_event"])
    )
    client.force_login(organizer)
    form = client.get(reverse("admin:events_event_add")).context["adminform"].form
    assert list(form.fields["organisation"].queryset) == [branch_a]
    event = make_event("甲的活动")
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.post(url, _event_data(event, organisation=branch_b.pk))
    assert response.status_code == 200  # refused: not one of the organizer's organisations
    event.refresh_from_db()
    assert event.organisation == branch_a and event.sequence == 0


def test_admin_visit_goes_through_the_service_and_leaves_people_alone(
    client, superuser, branch_a, calls
):
    client.force_login(superuser)
    form = client.get(reverse("admin:events_visit_add")).context["adminform"].form
    assert "people" not in form.fields
    data = {
        "date": "2030-07-01",
        "organisation": branch_a.pk,
        "person_times": "12",
        "given": "矿泉水",
        "notes": "",
    }
    assert client.post(reverse("admin:events_visit_add"), data).status_code == 302
    visit = Visit.objects.get()
    assert visit.created_by == superuser and visit.person_times == 12
    assert calls == ["visit_save"]


def test_admin_shows_the_form_again_when_the_service_cannot_store(
    client, superuser, make_event, monkeypatch
):
    # The admin stores no file itself, but a write that fails in the service (a full disk)
    # gives the form back with the error and what was typed, never a server error.
    from django.core.exceptions import ValidationError

    from portal.lib.storage import not_stored_message

    def failing_save(**kwargs):
        raise ValidationError(not_stored_message(), code="not_stored")

    monkeypatch.setattr(services, "event_save", failing_save)
    event = make_event("原标题")
    client.force_login(superuser)
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.post(url, _event_data(event, title="改了"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "服务器存储空间已满" in html and 'value="改了"' in html
    event.refresh_from_db()
    assert event.title == "原标题"
