"""Staff sessions: idle and absolute timeouts, the sessions page, ending sessions at once."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import SignInEvent, StaffSession
from tests.conftest import enrol_second_factor

from .helpers import code_for, enter_code, sign_in_with_password

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
OVERVIEW = "/members/overview/"


def _signed_out(response):
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_idle_session_ends_after_thirty_minutes(client, officer_a):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer_a)
        clock.shift(timedelta(minutes=29))
        assert client.get(OVERVIEW).status_code == 200
        # Activity keeps it alive: 29 more minutes after the last request is fine.
        clock.shift(timedelta(minutes=29))
        assert client.get(OVERVIEW).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get(OVERVIEW)
    assert _signed_out(response)
    assert "next=%2Fmembers%2Foverview%2F" in response["Location"]
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.IDLE_TIMEOUT).count() == 1
    assert not StaffSession.objects.exists()
    # The next request is anonymous.
    assert _signed_out(client.get(OVERVIEW))


def test_idle_time_comes_from_the_settings(client, officer_a, settings):
    settings.STAFF_IDLE_MINUTES = 5
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer_a)
        clock.shift(timedelta(minutes=6))
        assert _signed_out(client.get(OVERVIEW))


def test_absolute_timeout_ends_even_a_busy_session(client, officer_a):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer_a)
        for _ in range(12 * 3 - 1):
            clock.shift(timedelta(minutes=20))
            assert client.get(reverse("accounts:account")).status_code == 200
        clock.shift(timedelta(minutes=21))
        response = client.get(OVERVIEW)
    assert _signed_out(response)
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.ABSOLUTE_TIMEOUT).count() == 1


def test_last_seen_is_written_at_most_once_a_minute(client, officer_a, django_assert_num_queries):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(officer_a)
        record = StaffSession.objects.get()
        client.get(reverse("accounts:account"))
        clock.shift(timedelta(minutes=2))
        client.get(reverse("accounts:account"))
    record.refresh_from_db()
    assert record.last_seen_at == START + timedelta(minutes=2)


def test_public_pages_are_not_timed_out_for_visitors(client):
    with time_machine.travel(START, tick=False) as clock:
        client.get("/")
        clock.shift(timedelta(hours=13))
        assert client.get("/").status_code == 200


def test_sessions_page_lists_devices_and_ends_another_session(officer_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrol_second_factor(officer_a)
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 13) Chrome/120.0 Mobile Safari")
    desk = Client(REMOTE_ADDR="203.0.113.77")
    for number, each in enumerate((phone, desk)):
        sign_in_with_password(each, officer_a)
        assert enter_code(each, code_for(device, offset=number)).status_code == 302
    html = desk.get(reverse("accounts:account")).content.decode()
    assert len(re.findall(r'action="/staff/account/sessions/[0-9]+/end/"', html)) == 2
    phone_session = StaffSession.objects.exclude(session_key=desk.session.session_key).get()
    assert phone_session.device == "Chrome · Android"
    desk_session = StaffSession.objects.get(session_key=desk.session.session_key)
    # Only the network is kept, never the full address.
    assert desk_session.address == "203.0.113.x"
    assert "203.0.113.77" not in html
    response = desk.post(reverse("accounts:session-end", args=[phone_session.pk]))
    assert response.status_code == 302
    assert _signed_out(phone.get(OVERVIEW))
    assert desk.get(OVERVIEW).status_code == 200


def test_end_all_other_sessions(officer_a):
    clients = [Client() for _ in range(3)]
    for each in clients:
        each.force_login(officer_a)
    clients[0].post(reverse("accounts:sessions-end"))
    assert clients[0].get(OVERVIEW).status_code == 200
    assert all(_signed_out(each.get(OVERVIEW)) for each in clients[1:])
    assert StaffSession.objects.count() == 1


def test_nobody_ends_someone_elses_session(client, officer_a, officer_b):
    other = Client()
    other.force_login(officer_b)
    client.force_login(officer_a)
    theirs = StaffSession.objects.get(user=officer_b)
    assert client.post(reverse("accounts:session-end", args=[theirs.pk])).status_code == 404
    assert other.get(reverse("accounts:account")).status_code == 200


def test_deactivation_ends_an_existing_session_on_its_next_request(client, superuser, officer_a):
    client.force_login(officer_a)
    assert client.get(OVERVIEW).status_code == 200
    officer_a.is_active = False
    officer_a.save()
    assert _signed_out(client.get(OVERVIEW))
    assert not StaffSession.objects.filter(user=officer_a).exists()
    assert Session.objects.count() == 0


def test_deactivation_in_the_admin_ends_sessions(client, superuser, officer_a):
    officer_client = Client()
    officer_client.force_login(officer_a)
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[officer_a.pk])
    form = client.get(url).context["adminform"].form
    data = {
        key: value for key, value in form.initial.items() if value is not None and key != "password"
    }
    data.update(
        {
            "is_active": "",
            "groups": [group.pk for group in officer_a.groups.all()],
            "organisations": [org.pk for org in officer_a.organisations.all()],
            "date_joined_0": officer_a.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": officer_a.date_joined.strftime("%H:%M:%S"),
            "is_staff": "on",
        }
    )
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("user_permissions", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    officer_a.refresh_from_db()
    assert not officer_a.is_active
    assert _signed_out(officer_client.get(OVERVIEW))


def test_removing_the_last_organisation_ends_sessions(client, officer_a, branch_a, branch_b):
    officer_a.organisations.add(branch_b)
    client.force_login(officer_a)
    officer_a.organisations.remove(branch_b)
    assert client.get(OVERVIEW).status_code == 200
    officer_a.organisations.remove(branch_a)
    assert _signed_out(client.get(OVERVIEW))


def test_removing_a_person_from_the_organisation_side_ends_sessions(client, officer_a, branch_a):
    client.force_login(officer_a)
    branch_a.staff.remove(officer_a)
    assert _signed_out(client.get(OVERVIEW))


def test_sign_out_ends_the_session_and_is_logged(client, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("accounts:sign-out"))
    assert response["Location"] == "/admin/login/"
    assert not StaffSession.objects.exists()
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.SIGNED_OUT).count() == 1


def test_timed_out_sessions_are_not_listed(officer_a):
    forgotten, current = Client(), Client()
    with time_machine.travel(START, tick=False) as clock:
        forgotten.force_login(officer_a)
        clock.shift(timedelta(minutes=31))
        current.force_login(officer_a)
        html = current.get(reverse("accounts:account")).content.decode()
    assert len(re.findall(r'action="/staff/account/sessions/[0-9]+/end/"', html)) == 1
    # The dead one was forgotten at the sign-in.
    assert StaffSession.objects.count() == 1


def test_a_changed_session_key_is_followed(client, officer_a):
    client.force_login(officer_a)
    session = client.session
    old_key = session.session_key
    session.cycle_key()
    session.save()
    client.cookies["sessionid"] = session.session_key
    assert client.get(reverse("accounts:account")).status_code == 200
    record = StaffSession.objects.get()
    assert record.session_key == session.session_key != old_key
    other = Client()
    other.force_login(officer_a)
    other.post(reverse("accounts:sessions-end"))
    assert _signed_out(client.get(OVERVIEW))


def test_signing_in_again_in_the_same_session_renews_its_record(client, dispatcher):
    from accounts.models import StaffSession

    client.force_login(dispatcher)
    client.force_login(dispatcher)
    assert StaffSession.objects.filter(user=dispatcher).count() == 1
    assert client.get("/staff/account/").status_code == 200
