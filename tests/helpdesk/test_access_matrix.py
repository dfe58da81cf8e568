"""Who may reach which help-request and wish URL: every persona against every URL kind.

The request under test is held by branch A. Only the desk (dispatchers, superusers), the
help handlers of branch A and a helper holding a request by name get anywhere; everyone
else gets 404 on a record's page, an empty queue and empty admin lists, and never
the driver's phone, name or position.
"""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.roles import HELP_HANDLERS, MEMBER_RECORDS_OFFICERS, NAMED_HELPERS, ORGANIZERS
from helpdesk.models import HelpEvent, HelpRequest, Wish
from helpdesk.services import requests as services
from helpdesk.services import wishes
from helpdesk.services.escalation import help_request_escalate

from .helpers import make_request

pytestmark = pytest.mark.django_db

PHONE_A = "13800007777"
NAME_A = "甄师傅"
PLACE_A = "企沙港北门停车场"
PHONE_HELPER = "13800008888"
WISH_TEXT = "希望停车场有热水"
WISH_PHONE = "13800005555"

PERSONAS = [
    "anonymous",
    "organizer",
    "committee_organizer",
    "station_manager",
    "officer_a",
    "officer_b",
    "committee_officer",
    "dispatcher",
    "help_handler",
    "named_helper",
    "superuser",
]

# Expected outcome per URL kind and persona, for the request held by branch A:
# "L" = sent to the sign-in page; "A" = 200 with the request, phone and name masked;
# "A+" = 200 with the full phone and the name (whoever holds it); "E" = 200 without the
# request or any of its driver data; "W" = 200 with the wish, its phone masked; a number =
# that status (200 without phone or name; otherwise nothing of the request in the answer).
# fmt: off
EXPECTED = {
    #                anon org  c-org man  off-a off-b c-off disp  hand  helper root
    "queue":         ["L", "E", "E", "E", "E", "E", "E", "A", "A",  "E", "A"],
    "queue_all":     ["L", "E", "E", "E", "E", "E", "E", "A", "A",  "E", "A"],
    "detail":        ["L", 404, 404, 404, 404, 404, 404, "A", "A+", 404, "A"],
    "wishes":        ["L", "E", "E", "E", "E", "E", "E", "W", "E",  "E", "W"],
    "admin_list":    ["L", "E", "E", "E", "E", "E", "E", "A", "A",  "E", "A"],
    "admin_change":  ["L", 404, 404, 404, 404, 404, 404, "A", "A",  404, "A"],
    "admin_history": ["L", 404, 404, 404, 404, 404, 404, 200, 200,  404, 200],
    "admin_delete":  ["L", 404, 404, 404, 404, 404, 404, 403, 403,  404, 403],
    "admin_add":     ["L", 403, 403, 403, 403, 403, 403, 403, 403,  403, 403],
    "admin_missing": ["L", 404, 404, 404, 404, 404, 404, 404, 404,  404, 404],
    "wish_list":     ["L", "E", "E", "E", "E", "E", "E", "W", "E",  "E", "W"],
    "wish_change":   ["L", 404, 404, 404, 404, 404, 404, "W", 404,  404, "W"],
    "deadline_list": ["L", 403, 403, 403, 403, 403, 403, 403, 403,  403, 200],
}

# POSTs on the request held by branch A (and on the wish): "ok" = redirected back and the
# step recorded; 404 = refused and nothing written.
EXPECTED_POST = {
    "note":          ["L", 404, 404, 404, 404, 404, 404, "ok", "ok", 404, "ok"],
    "transfer":      ["L", 404, 404, 404, 404, 404, 404, "ok", "ok", 404, "ok"],
    "start":         ["L", 404, 404, 404, 404, 404, 404, "ok", "ok", 404, "ok"],
    "withdraw":      ["L", 404, 404, 404, 404, 404, 404, "ok", "ok", 404, "ok"],
    "wish_approve":  ["L", 404, 404, 404, 404, 404, 404, "ok", 404,  404, "ok"],
}
# fmt: on


@pytest.fixture
def committee_organizer(make_user, committee):
    return make_user("organizer_committee", ORGANIZERS, [committee])


@pytest.fixture
def committee_officer(make_user, committee):
    return make_user("officer_committee", MEMBER_RECORDS_OFFICERS, [committee])


@pytest.fixture
def named_helper(make_user, branch_b):
    """A named helper of branch B (no other role), holding one request by name."""
    return make_user("member_li", NAMED_HELPERS, organisations=[branch_b])


@pytest.fixture
def held_a(dispatcher, branch_a):
    """A request held by branch A, with the driver's phone, name and position."""
    req = make_request(phone=PHONE_A, name=NAME_A, location_text=PLACE_A)
    services.help_request_transfer(request=req, actor=dispatcher, organisation=branch_a)
    req.refresh_from_db()
    return req


@pytest.fixture
def held_by_helper(dispatcher, named_helper):
    req = make_request(phone=PHONE_HELPER)
    services.help_request_transfer(request=req, actor=dispatcher, helper=named_helper)
    req.refresh_from_db()
    return req


@pytest.fixture
def wish():
    wish, _created = wishes.wish_submit(form_token="matrix-wish", text=WISH_TEXT, phone=WISH_PHONE)
    return wish


def _url(kind, req, wish):
    return {
        "queue": reverse("helpdesk:staff-queue"),
        "queue_all": reverse("helpdesk:staff-queue") + "?state=all",
        "detail": reverse("helpdesk:staff-detail", args=[req.pk]),
        "wishes": reverse("helpdesk:staff-wishes"),
        "admin_list": reverse("admin:helpdesk_helprequest_changelist"),
        "admin_change": reverse("admin:helpdesk_helprequest_change", args=[req.pk]),
        "admin_history": reverse("admin:helpdesk_helprequest_history", args=[req.pk]),
        "admin_delete": reverse("admin:helpdesk_helprequest_delete", args=[req.pk]),
        "admin_add": reverse("admin:helpdesk_helprequest_add"),
        "admin_missing": reverse("admin:helpdesk_helprequest_change", args=[req.pk + 1000]),
        "wish_list": reverse("admin:helpdesk_wish_changelist"),
        "wish_change": reverse("admin:helpdesk_wish_change", args=[wish.pk]),
        "deadline_list": reverse("admin:helpdesk_categorydeadline_changelist"),
    }[kind]


def _cases(table):
    return [
        (kind, persona, expected)
        for kind, row in table.items()
        for persona, expected in zip(PERSONAS, row, strict=True)
    ]


def _sign_in(request, client, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def _assert_sent_to_sign_in(response):
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _assert_no_driver_data(text, req):
    assert PHONE_A not in text and NAME_A not in text and PLACE_A not in text
    assert req.display_code not in text


@pytest.mark.parametrize(("kind", "persona", "expected"), _cases(EXPECTED))
def test_help_url_access_matrix(request, client, kind, persona, expected, held_a, wish):
    own = request.getfixturevalue("held_by_helper")
    _sign_in(request, client, persona)
    response = client.get(_url(kind, held_a, wish))
    if expected == "L":
        _assert_sent_to_sign_in(response)
        return
    text = response.content.decode()
    assert WISH_PHONE not in text
    if expected == "W":
        assert response.status_code == 200
        assert WISH_TEXT in text
        _assert_no_driver_data(text, held_a)
    elif expected == "A+":
        assert response.status_code == 200
        assert held_a.display_code in text and PHONE_A in text and NAME_A in text
    elif expected == "A":
        assert response.status_code == 200
        assert held_a.display_code in text
        assert PHONE_A not in text and NAME_A not in text
        assert PLACE_A in text or not kind.startswith(("detail", "admin_change"))
    elif expected == "E":
        assert response.status_code == 200
        _assert_no_driver_data(text, held_a)
        assert WISH_TEXT not in text
        # The named helper sees the request they hold, so the page is not merely broken.
        shows_requests = kind not in ("wishes", "wish_list")
        assert (own.display_code in text) == (persona == "named_helper" and shows_requests)
    elif expected == 200:
        assert response.status_code == 200
        assert PHONE_A not in text and NAME_A not in text
    else:
        assert response.status_code == expected
        _assert_no_driver_data(text, held_a)
    if response.status_code == 200 and kind in ("queue", "queue_all", "detail", "wishes"):
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(("kind", "persona", "expected"), _cases(EXPECTED_POST))
def test_help_post_access_matrix(
    request, client, kind, persona, expected, held_a, wish, branch_b, named_helper
):
    _sign_in(request, client, persona)
    before = HelpRequest.objects.filter(pk=held_a.pk).values().get()
    events = HelpEvent.objects.filter(request=held_a).count()
    if kind == "wish_approve":
        url = reverse("helpdesk:staff-wish-action", args=[wish.pk, "approve"])
        data = {}
    else:
        url = reverse("helpdesk:staff-action", args=[held_a.pk, kind])
        # "confirmed": actions that hand over or end a request ask first.
        data = {"text": "matrix", "note": "matrix", "organisation": branch_b.pk, "confirmed": "1"}
    response = client.post(url, data)
    wish.refresh_from_db()
    if expected == "ok":
        assert response.status_code == 302
        if kind == "wish_approve":
            assert wish.approved_at is not None
        else:
            assert response["Location"] == reverse("helpdesk:staff-detail", args=[held_a.pk])
            assert HelpEvent.objects.filter(request=held_a).count() == events + 1
        return
    if expected == "L":
        _assert_sent_to_sign_in(response)
    else:
        assert response.status_code == expected
        _assert_no_driver_data(response.content.decode(), held_a)
    # Nothing written.
    assert HelpRequest.objects.filter(pk=held_a.pk).values().get() == before
    assert HelpEvent.objects.filter(request=held_a).count() == events
    assert wish.approved_at is None


def test_named_helper_loses_access_once_the_request_escalates_away(
    client, dispatcher, named_helper, held_by_helper, make_user, branch_b
):
    req = held_by_helper
    detail = reverse("helpdesk:staff-detail", args=[req.pk])
    admin_change = reverse("admin:helpdesk_helprequest_change", args=[req.pk])
    client.force_login(named_helper)
    assert client.get(detail).status_code == 200
    assert req.display_code in client.get(reverse("helpdesk:staff-queue")).content.decode()
    assert client.get(admin_change).status_code == 200

    assert help_request_escalate(request=req, now=req.due_at + timedelta(minutes=1))
    req.refresh_from_db()
    assert (req.holder_user, req.holder_organisation) == (None, branch_b)

    assert client.get(detail).status_code == 404
    queue = client.get(reverse("helpdesk:staff-queue") + "?state=all").content.decode()
    assert req.display_code not in queue and PHONE_HELPER not in queue
    assert client.get(admin_change).status_code == 404
    # Holding nothing any more, the admin's help-request list is empty for them.
    admin_list = client.get(reverse("admin:helpdesk_helprequest_changelist"))
    assert admin_list.status_code == 200 and req.display_code not in admin_list.content.decode()
    events = req.events.count()
    response = client.post(reverse("helpdesk:staff-action", args=[req.pk, "note"]), {"text": "x"})
    assert response.status_code == 404 and req.events.count() == events

    # Branch B's help handler now holds it.
    client.force_login(make_user("handler_b", HELP_HANDLERS, [branch_b]))
    response = client.get(detail)
    assert response.status_code == 200 and PHONE_HELPER in response.content.decode()


def test_wish_pages_never_show_the_wish_phone(client, dispatcher, wish):
    client.force_login(dispatcher)
    for url in (
        reverse("helpdesk:staff-wishes"),
        reverse("admin:helpdesk_wish_changelist"),
        reverse("admin:helpdesk_wish_change", args=[wish.pk]),
    ):
        assert WISH_PHONE not in client.get(url).content.decode()
    assert Wish.objects.visible_to(dispatcher).count() == 1
