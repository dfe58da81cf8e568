"""The access review for superusers, password rules and the sign-in log in the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import SignInEvent

pytestmark = pytest.mark.django_db

URL = "/staff/access-review/"


def _rows(html):
    return html.split("<tbody>")[1].split("</tbody>")[0]


def test_access_review_lists_who_can_see_personal_data(
    client, superuser, officer_a, dispatcher, help_handler, organizer, station_manager
):
    officer_a.totpdevice_set.all().delete()
    dispatcher.last_login = timezone.now() - timedelta(days=200)
    dispatcher.save(update_fields=["last_login"])
    client.force_login(superuser)
    html = _rows(client.get(URL).content.decode())
    for user in (superuser, dispatcher, help_handler):
        assert f">{user.username}</a>" in html
    # The force_login above enrolled nobody: officer A stays without a second factor.
    assert ">officer_a</a>" in html
    assert ">organizer</a>" not in html and ">manager</a>" not in html
    officer_row = html.split(">officer_a</a>")[1].split("</tr>")[0]
    assert "甲物流公司党支部" in officer_row
    assert "党员信息管理员" in officer_row
    assert "badge-danger" in officer_row  # no second factor
    dispatcher_row = html.split(">dispatcher</a>")[1].split("</tr>")[0]
    assert "badge-ok" in dispatcher_row
    # Not signed in for 200 days: flagged stale.
    assert 'class="stale"' in html.split(">dispatcher</a>")[0].rsplit("<tr", 1)[1]


def test_direct_permissions_put_an_account_on_the_review(client, superuser, make_user):
    from django.contrib.auth.models import Permission

    clerk = make_user("clerk")
    clerk.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(superuser)
    assert ">clerk</a>" in _rows(client.get(URL).content.decode())


def test_access_review_is_for_superusers_only(client, officer_a, dispatcher, organizer):
    for user in (officer_a, dispatcher, organizer):
        client.force_login(user)
        assert client.get(URL).status_code == 404


def test_access_review_query_count_is_flat(
    client, superuser, make_user, branch_a, django_assert_num_queries
):
    from accounts.roles import DISPATCHERS

    client.force_login(superuser)
    make_user("d1", DISPATCHERS, [branch_a])
    client.get(URL)
    with django_assert_num_queries(5) as few:
        client.get(URL)
    for number in range(5):
        make_user(f"d{number + 2}", DISPATCHERS, [branch_a])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(URL)


@pytest.mark.parametrize(
    "password",
    ["Short-pass1", "password1234", "123456789012345"],
)
def test_weak_passwords_are_refused(password, make_user):
    user = make_user("someone")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted(make_user):
    validate_password("road-tea-harbour-lamp", make_user("someone"))


def test_sign_in_log_in_the_admin_is_for_superusers(client, superuser, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("admin:accounts_signinevent_changelist")).status_code == 403
    client.force_login(superuser)
    response = client.get(reverse("admin:accounts_signinevent_changelist"))
    assert response.status_code == 200
    assert SignInEvent.objects.filter(username="root").exists()


def test_failed_password_is_logged_without_the_password(client, officer_a):
    client.post("/admin/login/", {"username": "officer_a", "password": "wrong-password-xyz"})
    event = SignInEvent.objects.get(kind=SignInEvent.Kind.PASSWORD_FAILED)
    assert event.username == "officer_a"
    assert "wrong-password-xyz" not in f"{event.note}{event.device}"
