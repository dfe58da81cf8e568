"""Step-up before full phones, exports and role changes; enrolment, recovery codes, resets."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SignInEvent
from members.models import ExportJob
from tests.conftest import enrol_second_factor
from tests.helpdesk.helpers import PHONE, make_request
from tests.members.test_exports import _post_export

from .helpers import code_for, enter_code, sign_in_with_password

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
VERIFY = "/staff/account/code/"


# --- Step-up ---------------------------------------------------------------------------------


def test_full_phone_needs_a_recent_second_factor(client, dispatcher, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    help_request = make_request()
    url = reverse("helpdesk:staff-detail", args=[help_request.pk])
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(dispatcher)
        assert PHONE in client.get(url).content.decode()
        clock.shift(timedelta(minutes=6))
        html = client.get(url).content.decode()
        assert PHONE not in html
        link = re.search(r'href="(/staff/account/code/\?[^"]+)"', html).group(1)
        assert "step_up=1" in link
        device = TOTPDevice.objects.get(user=dispatcher)
        response = client.post(
            link.replace("&amp;", "&"), {"code": code_for(device), "next": url, "step_up": "1"}
        )
        assert response["Location"] == url
        assert PHONE in client.get(url).content.decode()
    event = SignInEvent.objects.get(kind=SignInEvent.Kind.VERIFIED)
    assert event.note == "step-up"


def test_step_up_window_comes_from_the_settings(client, dispatcher, settings):
    settings.STEP_UP_MINUTES = 1
    help_request = make_request()
    url = reverse("helpdesk:staff-detail", args=[help_request.pk])
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(dispatcher)
        clock.shift(timedelta(seconds=90))
        assert PHONE not in client.get(url).content.decode()


def test_export_needs_a_recent_second_factor(client, exporting_officer_a, person_a):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(exporting_officer_a)
        clock.shift(timedelta(minutes=6))
        response = client.post(reverse("admin:members_person_export"), {"format": "csv"})
        assert response.status_code == 302
        assert not ExportJob.objects.exists()
        assert response["Location"].startswith(VERIFY)
        assert "step_up=1" in response["Location"]
        assert "next=%2Fadmin%2Fmembers%2Fperson%2Fexport%2F" in response["Location"]
        assert client.get(reverse("admin:members_person_export")).status_code == 302
        device = TOTPDevice.objects.get(user=exporting_officer_a)
        enter_code(client, code_for(device), step_up="1")
        response = _post_export(client, "csv")
    assert response.status_code == 200
    assert "覃泓舟" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_role_change_needs_a_recent_second_factor(client, superuser, officer_a):
    urls = [
        reverse("admin:accounts_user_change", args=[officer_a.pk]),
        reverse("admin:accounts_user_add"),
        reverse("admin:auth_group_change", args=[officer_a.groups.get().pk]),
    ]
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(superuser)
        for url in urls:
            assert client.get(url).status_code == 200
        clock.shift(timedelta(minutes=6))
        for url in urls:
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"groups": []})
                assert response["Location"].startswith(VERIFY), (method, url)
    assert officer_a.groups.exists()


# --- Enrolment and recovery codes ------------------------------------------------------------


def _enrol(client, user, language_prefix=""):
    sign_in_with_password(client, user)
    response = client.get(f"{language_prefix}/staff/account/two-factor/")
    html = response.content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', html).group(1)
    assert "<svg" in html
    import base64

    totp = TOTP(base64.b32decode(secret))
    response = client.post(
        "/staff/account/two-factor/", {"code": f"{totp.token():06d}", "next": "/admin/"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    return re.findall(r"<code>([a-z2-7]{8})</code>", page)


@pytest.mark.parametrize(
    "prefix, heading", [("", "设置两步验证"), ("/en", "Set up two-factor"), ("/vi", "Thiết lập")]
)
def test_enrolment_page_in_three_languages(client, officer_a, prefix, heading):
    officer_a.totpdevice_set.all().delete()
    sign_in_with_password(client, officer_a)
    html = client.get(f"{prefix}/staff/account/two-factor/").content.decode()
    assert heading in html
    assert "<svg" in html and 'data-secret="' in html


def test_enrolment_gives_recovery_codes_that_work_once_each(client, officer_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    officer_a.totpdevice_set.all().delete()
    codes = _enrol(client, officer_a)
    assert len(codes) == 10
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.ENROLLED).count() == 1
    # The codes are shown once only.
    assert client.get(reverse("accounts:recovery-codes"))["Location"] == "/staff/account/"
    assert client.get("/members/overview/").status_code == 200
    client.post(reverse("accounts:sign-out"))

    sign_in_with_password(client, officer_a)
    assert enter_code(client, codes[0].upper()).status_code == 302
    assert client.get("/members/overview/").status_code == 200
    client.post(reverse("accounts:sign-out"))

    sign_in_with_password(client, officer_a)
    assert enter_code(client, codes[0]).status_code == 200
    assert client.get("/members/overview/")["Location"].startswith(VERIFY)
    assert StaticToken.objects.count() == 9
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.RECOVERY_CODE_USED).count() == 1


def test_new_recovery_codes_replace_the_old(client, officer_a):
    officer_a.totpdevice_set.all().delete()
    old = _enrol(client, officer_a)
    client.post(reverse("accounts:recovery-codes"))
    page = client.get(reverse("accounts:recovery-codes")).content.decode()
    new = re.findall(r"<code>([a-z2-7]{8})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.count() == 10


def test_wrong_enrolment_code_changes_nothing(client, officer_a):
    officer_a.totpdevice_set.all().delete()
    sign_in_with_password(client, officer_a)
    client.get("/staff/account/two-factor/")
    response = client.post("/staff/account/two-factor/", {"code": "000000"})
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=officer_a, confirmed=True).exists()
    assert client.get("/members/overview/")["Location"].startswith("/staff/account/two-factor/")


# --- Reset by an administrator ---------------------------------------------------------------


def test_reset_forces_re_enrolment_and_ends_sessions(client, superuser, officer_a):
    from django.test import Client

    officer_client = Client()
    officer_client.force_login(officer_a)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [officer_a.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=officer_a).exists()
    event = SignInEvent.objects.get(kind=SignInEvent.Kind.RESET)
    assert event.user == officer_a and event.actor == superuser
    # The officer's session ended; signing in again leads to enrolment, not to the data.
    assert officer_client.get("/members/overview/")["Location"].startswith("/admin/login/")
    response = sign_in_with_password(officer_client, officer_a, "/members/overview/")
    assert response["Location"].startswith("/staff/account/two-factor/")
    assert officer_client.get("/members/overview/")["Location"].startswith(
        "/staff/account/two-factor/"
    )


def test_reset_asks_the_administrator_for_a_recent_code(client, superuser, officer_a):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(superuser)
        clock.shift(timedelta(minutes=6))
        response = client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [officer_a.pk]},
        )
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=officer_a).exists()


def test_only_administrators_can_reset(client, dispatcher, officer_a):
    client.force_login(dispatcher)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [officer_a.pk]},
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=officer_a).exists()


def test_enrol_second_factor_helper_is_idempotent(officer_a):
    assert enrol_second_factor(officer_a) == enrol_second_factor(officer_a)
