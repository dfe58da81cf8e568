"""The dispatcher's night shift: transfers only to those who can take a request, a question
before anything is handed over or ended, feedback that names what happened, input kept after
an error, and a queue ordered by what needs action now."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation
from accounts.roles import HELP_HANDLERS, MEMBER_RECORDS_OFFICERS, NAMED_HELPERS, ORGANIZERS
from helpdesk.choices import State
from helpdesk.models import HelpRequest
from helpdesk.services import requests as services
from helpdesk.templatetags.help_times import due_phrase

from .helpers import make_request

pytestmark = pytest.mark.django_db

CODE = re.compile(r"<strong>([0-9A-Z]{4}-[0-9A-Z]{4})</strong>")


@pytest.fixture
def people(make_user, branch_a, branch_b):
    """Who may take a request by name, and who may not."""
    return {
        "helper": make_user("li", NAMED_HELPERS, [branch_b], first_name="芳", last_name="李"),
        "handler": make_user("wang", HELP_HANDLERS, [branch_a], first_name="强", last_name="王"),
        "officer": make_user(
            "zhao", MEMBER_RECORDS_OFFICERS, [branch_a], first_name="敏", last_name="赵"
        ),
        "organizer": make_user("qian", ORGANIZERS, [branch_a], first_name="军", last_name="钱"),
    }


def _url(req, action):
    return reverse("helpdesk:staff-action", args=[req.pk, action])


def test_transfer_picker_lists_only_those_who_can_take_requests(
    client, dispatcher, superuser, people, branch_a, branch_b
):
    req = make_request()
    partner = Organisation.objects.create(name="某物流协会", kind=Organisation.Kind.OTHER)
    client.force_login(dispatcher)
    html = client.get(reverse("helpdesk:staff-detail", args=[req.pk])).content.decode()
    picker = html[
        html.index('name="helper"') : html.index("</select>", html.index('name="helper"'))
    ]
    # By full name (family name first) and organisation, never by login name.
    assert f"李芳 · {branch_b.name}" in picker and f"王强 · {branch_a.name}" in picker
    assert "赵敏" not in picker and "钱军" not in picker and ">root" not in picker
    assert ">li<" not in picker
    organisations = html[html.index('name="organisation"') :]
    organisations = organisations[: organisations.index("</select>")]
    assert branch_a.name in organisations and partner.name not in organisations


@pytest.mark.parametrize("who", ["officer", "organizer"])
def test_transfer_to_an_account_that_cannot_take_requests_is_refused(
    client, dispatcher, people, who
):
    req = make_request()
    client.force_login(dispatcher)
    target = people[who]
    response = client.post(
        _url(req, "transfer"), {"helper": target.pk, "note": "夜班转交", "confirmed": "1"}
    )
    assert response.status_code == 400
    req.refresh_from_db()
    assert req.state == State.RECEIVED and req.holder_user is None
    # The service refuses too, whatever a form offered.
    with pytest.raises(services.IllegalTransition):
        services.help_request_transfer(request=req, actor=dispatcher, helper=target)
    assert req.events.count() == 1


def test_transfer_asks_first_then_names_target_and_deadline(client, dispatcher, people):
    req = make_request(urgent=True)
    client.force_login(dispatcher)
    data = {"helper": people["helper"].pk, "note": "司机在东兴口岸"}
    asked = client.post(_url(req, "transfer"), data)
    assert asked.status_code == 200
    html = asked.content.decode()
    assert f"要把 {req.display_code} 转交给 李芳 吗？" in html
    assert 'value="司机在东兴口岸"' in html
    req.refresh_from_db()
    assert req.state == State.RECEIVED  # nothing happened yet
    # "Back" returns to the filled-in form, panel open.
    back = client.post(_url(req, "transfer"), {**data, "back": "1"}).content.decode()
    assert '<details id="action-transfer" open>' in back and "司机在东兴口岸" in back
    done = client.post(_url(req, "transfer"), {**data, "confirmed": "1"}, follow=True)
    req.refresh_from_db()
    assert req.state == State.TRANSFERRED and req.holder_user == people["helper"]
    due = timezone.localtime(req.due_at).strftime("%H:%M")
    feedback = re.search(r'class="message success">([^<]*)<', done.content.decode()).group(1)
    assert feedback.startswith(f"{req.display_code} 已转交给 李芳（截止 ") and due in feedback
    # The history shows the people by name.
    assert "→ 李芳" in done.content.decode()


def test_failed_transfer_keeps_the_note_and_opens_the_panel(client, dispatcher):
    req = make_request()
    client.force_login(dispatcher)
    response = client.post(_url(req, "transfer"), {"note": "请尽快联系"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<details id="action-transfer" open>' in html
    assert "请尽快联系</textarea>" in html
    assert "请选择一个组织或一位承办人（二选一）" in html
    assert "first-error.js" in html


def test_ending_actions_ask_first(client, dispatcher):
    req = make_request()
    client.force_login(dispatcher)
    asked = client.post(_url(req, "not-for-us"), {"text": "打错电话"})
    assert "不属于我们" in asked.content.decode() and 'name="confirmed"' in asked.content.decode()
    req.refresh_from_db()
    assert req.state == State.RECEIVED
    done = client.post(_url(req, "not-for-us"), {"text": "打错电话", "confirmed": "1"}, follow=True)
    req.refresh_from_db()
    assert req.state == State.NOT_FOR_US
    assert f"{req.display_code} 已标为不属于我们" in done.content.decode()


def test_required_text_is_said_at_the_field(client, dispatcher, committee):
    req = make_request()
    services.help_request_transfer(request=req, actor=dispatcher, organisation=committee)
    client.force_login(dispatcher)
    response = client.post(_url(req, "resolve"), {"text": "  "})
    assert response.status_code == 400
    assert '<details id="action-resolve" open>' in response.content.decode()
    req.refresh_from_db()
    assert req.state == State.TRANSFERRED


def _codes(client, **params):
    response = client.get(reverse("helpdesk:staff-queue"), params)
    assert response.status_code == 200
    return CODE.findall(response.content.decode())


def test_queue_puts_long_overdue_before_an_urgent_one_waiting_to_close(
    client, dispatcher, committee
):
    waiting = make_request(urgent=True)
    for step in (
        lambda r: services.help_request_transfer(
            request=r, actor=dispatcher, organisation=committee
        ),
        lambda r: services.help_request_resolve(request=r, actor=dispatcher, what_was_done="ok"),
        lambda r: services.help_request_follow_up(request=r, actor=dispatcher, satisfied=True),
    ):
        step(waiting)
    overdue = make_request()
    calm = make_request()
    HelpRequest.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(days=21))
    HelpRequest.objects.filter(pk=calm.pk).update(due_at=timezone.now() + timedelta(hours=5))
    client.force_login(dispatcher)
    codes = _codes(client)
    assert codes == [overdue.display_code, calm.display_code, waiting.display_code]
    html = client.get(reverse("helpdesk:staff-queue")).content.decode()
    assert "已超时 21 天" in html and "4 小时后到期" in html


def test_due_phrase_says_minutes_hours_and_days():
    now = timezone.now()
    assert due_phrase(now + timedelta(minutes=40, seconds=5), now) == "40 分钟后到期"
    assert due_phrase(now - timedelta(hours=3, minutes=2), now) == "已超时 3 小时"
    assert due_phrase(None, now) == ""


def test_mine_keeps_only_what_i_hold(client, desk, dispatcher, people, branch_a):
    handler = people["handler"]
    mine = make_request()
    services.help_request_transfer(request=mine, actor=dispatcher, organisation=branch_a)
    other = make_request()
    # The desk (no organisation) holds nothing: "mine" is empty for it.
    client.force_login(desk)
    assert set(_codes(client)) == {mine.display_code, other.display_code}
    assert _codes(client, mine="on") == []
    client.force_login(handler)
    assert _codes(client, mine="on") == [mine.display_code]


def test_refresh_keeps_filters_and_page(client, dispatcher):
    make_request(category="legal")
    client.force_login(dispatcher)
    html = client.get(reverse("helpdesk:staff-queue"), {"category": "legal", "page": "1"})
    assert 'href="/staff/help/?category=legal&amp;page=1" id="queue-refresh"' in (
        html.content.decode()
    )


@pytest.mark.parametrize("rows", [3, 12])
def test_queue_queries_do_not_grow_with_rows(
    client, dispatcher, committee, people, rows, django_assert_num_queries
):
    for index in range(rows):
        req = make_request(urgent=index % 2 == 0)
        if index % 3 == 0:
            services.help_request_transfer(request=req, actor=dispatcher, helper=people["helper"])
    client.force_login(dispatcher)
    client.get(reverse("helpdesk:staff-queue"))
    with django_assert_num_queries(8):
        response = client.get(reverse("helpdesk:staff-queue"), {"mine": "on"})
    assert response.status_code == 200
    with django_assert_num_queries(7):
        client.get(reverse("helpdesk:staff-queue"))


def test_rejecting_a_wish_asks_first_and_names_it(client, dispatcher):
    from helpdesk.models import Wish
    from helpdesk.services import wishes

    wish, _created = wishes.wish_submit(form_token="safety-wish", text="希望停车场有热水", phone="")
    client.force_login(dispatcher)
    url = reverse("helpdesk:staff-wish-action", args=[wish.pk, "reject"])
    asked = client.post(url).content.decode()
    assert "要驳回心愿“希望停车场有热水”吗？" in asked
    assert not Wish.objects.get(pk=wish.pk).rejected
    done = client.post(url, {"confirmed": "1"}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        "心愿“希望停车场有热水”已驳回，不会在心愿墙上展示。"
    ]
    assert Wish.objects.get(pk=wish.pk).rejected
