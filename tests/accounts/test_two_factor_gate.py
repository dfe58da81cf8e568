"""A password alone reaches no personal data; the code step opens the portal as before."""

import pytest
from django.urls import reverse

from accounts.models import SignInEvent
from tests.conftest import enrol_second_factor, password_only_login
from tests.helpdesk.helpers import PHONE, make_request
from tests.members.conftest import CERT_A, PHONE_A

from .helpers import code_for, enter_code, sign_in_with_password

pytestmark = pytest.mark.django_db

VERIFY = "/staff/account/code/"
ENROL = "/staff/account/two-factor/"


def _member_urls(person, document):
    return [
        reverse("admin:index"),
        reverse("admin:members_person_changelist"),
        reverse("admin:members_person_change", args=[person.pk]),
        reverse("admin:members_person_export"),
        reverse("members:overview"),
        reverse("members:dossier-download", args=[document.pk]),
        reverse("admin:members_accesslog_changelist"),
    ]


def _assert_no_member_data(response):
    body = response.content.decode(errors="replace")
    for secret in ("覃泓舟", PHONE_A, CERT_A, "138****0001"):
        assert secret not in body


def test_password_only_officer_reaches_no_member_data(
    client, exporting_officer_a, person_a, document_a
):
    password_only_login(client, exporting_officer_a)
    for url in _member_urls(person_a, document_a):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith(VERIFY), (method, url)
            _assert_no_member_data(response)


def test_password_only_officer_without_a_device_must_enrol_first(
    client, officer_a, person_a, document_a
):
    officer_a.totpdevice_set.all().delete()
    password_only_login(client, officer_a)
    for url in _member_urls(person_a, document_a):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(ENROL), url


def test_password_only_dispatcher_sees_no_help_request(client, dispatcher, committee):
    help_request = make_request(name="ZhangSecretName")
    password_only_login(client, dispatcher)
    for url in (
        reverse("helpdesk:staff-queue"),
        reverse("helpdesk:staff-detail", args=[help_request.pk]),
        reverse("helpdesk:staff-wishes"),
        reverse("admin:helpdesk_helprequest_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(VERIFY), url
        body = response.content.decode()
        assert PHONE not in body and "ZhangSecretName" not in body


def test_password_form_then_code_opens_the_overview(client, officer_a, person_a):
    device = enrol_second_factor(officer_a)
    overview = reverse("members:overview")
    response = sign_in_with_password(client, officer_a, overview)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    # Before the code: still held at the gate.
    assert client.get(overview)["Location"].startswith(VERIFY)
    response = enter_code(client, code_for(device), overview)
    assert response.status_code == 302 and response["Location"] == overview
    page = client.get(overview)
    assert page.status_code == 200
    assert "覃泓舟" in page.content.decode()
    kinds = list(SignInEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [SignInEvent.Kind.SIGNED_IN, SignInEvent.Kind.VERIFIED]


def test_wrong_code_is_refused_and_logged_without_the_code(client, officer_a):
    enrol_second_factor(officer_a)
    sign_in_with_password(client, officer_a)
    response = enter_code(client, "000000")
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    event = SignInEvent.objects.get(kind=SignInEvent.Kind.CODE_FAILED)
    assert event.username == officer_a.username
    assert "000000" not in f"{event.note}{event.device}{event.address}"
    assert client.get(reverse("members:overview"))["Location"].startswith(VERIFY)


def test_a_code_cannot_be_used_twice(client, officer_a, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enrol_second_factor(officer_a)
    code = code_for(device)
    sign_in_with_password(client, officer_a)
    assert enter_code(client, code).status_code == 302
    client.post(reverse("accounts:sign-out"))
    sign_in_with_password(client, officer_a)
    assert enter_code(client, code).status_code == 200


def test_lockout_after_repeated_wrong_codes(client, officer_a):
    enrol_second_factor(officer_a)
    sign_in_with_password(client, officer_a)
    statuses = [enter_code(client, "123456").status_code for _ in range(5)]
    assert statuses[:4] == [200, 200, 200, 200]
    assert statuses[4] == 429
    # The session ended and the password step is locked too.
    assert client.get(reverse("members:overview"))["Location"].startswith("/admin/login/")
    assert sign_in_with_password(client, officer_a).status_code == 429
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.LOCKED_OUT).exists()


def test_a_correct_password_does_not_reset_the_code_failures(client, officer_a):
    enrol_second_factor(officer_a)
    sign_in_with_password(client, officer_a)
    for _ in range(3):
        enter_code(client, "123456")
    client.post(reverse("accounts:sign-out"))
    sign_in_with_password(client, officer_a)
    assert enter_code(client, "123456").status_code == 200
    assert enter_code(client, "123456").status_code == 429


def test_with_the_second_factor_the_overview_opens_as_before(client, officer_a, person_a):
    client.force_login(officer_a)
    assert client.get(reverse("members:overview")).status_code == 200


@pytest.mark.parametrize("persona", ["organizer", "station_manager"])
def test_organizers_are_offered_the_second_factor_at_each_sign_in(request, client, persona):
    user = request.getfixturevalue(persona)
    user.totpdevice_set.all().delete()
    response = sign_in_with_password(client, user, "/staff/events/")
    assert response["Location"].startswith("/staff/account/two-factor/offer/")
    # Until they answer, staff pages lead to the offer.
    assert client.get("/staff/events/")["Location"].startswith("/staff/account/two-factor/offer/")
    response = client.post(reverse("accounts:offer"), {"next": "/staff/events/"})
    assert response["Location"] == "/staff/events/"
    assert client.get(reverse("accounts:account")).status_code == 200


def test_an_organizer_who_set_it_up_must_use_it(client, organizer):
    enrol_second_factor(organizer)
    response = sign_in_with_password(client, organizer, "/staff/events/")
    assert response["Location"].startswith(VERIFY)
    assert client.get("/staff/events/")["Location"].startswith(VERIFY)


def test_a_password_only_session_cannot_enrol_a_second_device(client, officer_a):
    enrol_second_factor(officer_a)
    password_only_login(client, officer_a)
    response = client.get(reverse("accounts:enrol"))
    assert response["Location"].startswith(VERIFY)
    assert officer_a.totpdevice_set.count() == 1


def test_next_may_not_leave_the_site(client, officer_a):
    device = enrol_second_factor(officer_a)
    sign_in_with_password(client, officer_a)
    response = enter_code(client, code_for(device), "https://evil.example/")
    assert response["Location"] == "/staff/"
