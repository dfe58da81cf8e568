"""The staff home: where sign-in lands, each person's tasks by role, the staff bar."""

import pytest
from django.urls import reverse

from accounts.roles import NAMED_HELPERS, STATION_MANAGERS
from helpdesk.services import requests as help_services
from tests.helpdesk.helpers import make_request

pytestmark = pytest.mark.django_db

HOME = "/staff/"


def _panels(html):
    return {
        key
        for key in ("help", "events", "stations", "members", "report")
        if f'id="panel-{key}"' in html
    }


def test_home_address_and_sign_in_required(client):
    assert reverse("accounts:home") == HOME
    response = client.get(HOME)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("persona", "panels"),
    [
        ("organizer", {"events", "report"}),
        ("dispatcher", {"help"}),
        ("help_handler", {"help"}),
        ("officer_a", {"members", "report"}),
        ("station_manager", {"stations"}),
        ("superuser", {"help", "events", "stations", "members", "report"}),
    ],
)
def test_each_role_sees_its_own_tasks(request, client, persona, panels):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert _panels(html) == panels
    assert "no-store" in response["Cache-Control"]


def test_organizer_sees_coming_events_and_draft_state(client, organizer, make_event):
    make_event(title="夏送清凉", published=False)
    client.force_login(organizer)
    html = client.get(HOME).content.decode()
    assert "夏送清凉" in html and "草稿，尚未发布" in html
    assert reverse("events:staff-new") in html and reverse("events:staff-visits") in html
    # An organizer has no admin work: no link to it.
    assert 'href="/admin/"' not in html


def test_named_helper_sees_what_is_theirs_with_due_times(client, make_user, dispatcher):
    helper = make_user("li", NAMED_HELPERS, first_name="芳", last_name="李")
    req = make_request()
    help_services.help_request_transfer(request=req, actor=dispatcher, helper=helper)
    make_request()  # not theirs
    client.force_login(helper)
    html = client.get(HOME).content.decode()
    assert req.display_code in html and "后到期" in html
    assert html.count("<strong>") >= 1 and "1 条待办求助" in html


def test_station_manager_sees_their_stations(client, make_user, make_station):
    manager = make_user("mgr", STATION_MANAGERS)
    mine = make_station("东兴口岸司机之家")
    mine.managers.add(manager)
    make_station("别人的站")
    client.force_login(manager)
    html = client.get(HOME).content.decode()
    assert "东兴口岸司机之家" in html and "别人的站" not in html


def test_staff_bar_on_staff_pages_never_on_public_ones(client, organizer):
    organizer.first_name, organizer.last_name = "军", "钱"
    organizer.save()
    client.force_login(organizer)
    for url in (HOME, reverse("events:staff-list")):
        html = client.get(url).content.decode()
        assert 'class="staff-bar"' in html and "当前登录：钱军" in html
        assert reverse("accounts:sign-out") in html and f'href="{HOME}"' in html
    public = client.get(reverse("events:list")).content.decode()
    assert 'class="staff-bar"' not in public and "钱军" not in public


@pytest.mark.parametrize("rows", [2, 9])
def test_home_queries_do_not_grow_with_rows(
    client, superuser, dispatcher, make_event, make_station, rows, django_assert_num_queries
):
    for index in range(rows):
        make_event(title=f"活动{index}", days=index + 1)
        make_request(urgent=index % 2 == 0)
        make_station(f"站点{index}", latitude=21.5 + index / 100).managers.add(superuser)
    client.force_login(superuser)
    client.get(HOME)
    with django_assert_num_queries(8):
        response = client.get(HOME)
    assert response.status_code == 200


def test_sign_in_lands_on_the_staff_home(client, officer_a):
    from tests.accounts.helpers import code_for, enter_code, sign_in_with_password
    from tests.conftest import enrol_second_factor

    device = enrol_second_factor(officer_a)
    sign_in_with_password(client, officer_a, next_url="")
    response = enter_code(client, code_for(device), next_url="")
    assert response["Location"] == HOME
