"""Every legal transition works; every illegal one is refused with nothing changed."""

import pytest
from django.urls import reverse

from accounts.roles import HELP_HANDLERS, NAMED_HELPERS
from helpdesk.choices import Level, State
from helpdesk.models import HelpRequest
from helpdesk.services import requests as services
from notices.outbox import notices_send

from .helpers import make_request

pytestmark = pytest.mark.django_db

ACTIVE = ["received", "transferred", "in_progress", "reopened"]


def bring_to(state, *, actor, organisation, original=None):
    req = make_request()
    steps = {
        "received": [],
        "transferred": ["transfer"],
        "in_progress": ["transfer", "start"],
        "resolved": ["transfer", "start", "resolve"],
        "followed_up": ["transfer", "start", "resolve", "follow_up_ok"],
        "reopened": ["transfer", "start", "resolve", "follow_up_not"],
        "closed": ["transfer", "start", "resolve", "follow_up_ok", "close"],
        "duplicate": ["duplicate"],
        "not_for_us": ["reject"],
        "withdrawn": ["withdraw"],
    }[state]
    for step in steps:
        run(step, req, actor=actor, organisation=organisation, original=original)
    req.refresh_from_db()
    assert req.state == state
    return req


def run(action, req, *, actor, organisation, original=None):
    if action == "transfer":
        return services.help_request_transfer(request=req, actor=actor, organisation=organisation)
    if action == "start":
        return services.help_request_start(request=req, actor=actor)
    if action == "resolve":
        return services.help_request_resolve(request=req, actor=actor, what_was_done="Towed")
    if action == "follow_up_ok":
        return services.help_request_follow_up(request=req, actor=actor, satisfied=True)
    if action == "follow_up_not":
        return services.help_request_follow_up(
            request=req, actor=actor, satisfied=False, note="Still broken"
        )
    if action == "close":
        return services.help_request_close(request=req, actor=actor)
    if action == "duplicate":
        original = original or make_request()
        return services.help_request_mark_duplicate(
            request=req, actor=actor, original=original, reason="Same truck"
        )
    if action == "reject":
        return services.help_request_reject(request=req, actor=actor, reason="Private dispute")
    if action == "withdraw":
        return services.help_request_withdraw(request=req, actor=actor, reason="Fixed it")
    raise AssertionError(action)


LEGAL = {
    "transfer": (ACTIVE, "transferred"),
    "start": (["transferred", "reopened"], "in_progress"),
    "resolve": (["transferred", "in_progress"], "resolved"),
    "follow_up_ok": (["resolved"], "followed_up"),
    "follow_up_not": (["resolved"], "reopened"),
    "close": (["followed_up"], "closed"),
    "duplicate": (ACTIVE, "duplicate"),
    "reject": (ACTIVE, "not_for_us"),
    "withdraw": (ACTIVE, "withdrawn"),
}
CASES = [(action, state) for action in LEGAL for state in State.values]


@pytest.mark.parametrize(("action", "state"), CASES)
def test_transition_legal_or_refused(action, state, dispatcher, committee):
    req = bring_to(state, actor=dispatcher, organisation=committee)
    before = HelpRequest.objects.filter(pk=req.pk).values().get()
    own_events = req.events.count()
    allowed, target = LEGAL[action]
    if state in allowed:
        event = run(action, req, actor=dispatcher, organisation=committee)
        req.refresh_from_db()
        assert req.state == target
        assert event.from_state == state and event.to_state == target
        assert event.actor == dispatcher
        assert req.events.count() == own_events + 1
        # The state is derived from the newest state event.
        assert req.derived_state() == req.state
    else:
        with pytest.raises(services.IllegalTransition) as info:
            run(action, req, actor=dispatcher, organisation=committee)
        assert str(info.value)
        assert HelpRequest.objects.filter(pk=req.pk).values().get() == before
        assert req.events.count() == own_events


def test_refusal_message_names_the_current_state(dispatcher, committee):
    req = bring_to("closed", actor=dispatcher, organisation=committee)
    from django.utils import translation

    with (
        translation.override("en"),
        pytest.raises(
            services.IllegalTransition, match=r"being handled can be resolved.*now: Closed"
        ),
    ):
        services.help_request_resolve(request=req, actor=dispatcher, what_was_done="x")
    with translation.override("zh-hans"), pytest.raises(services.IllegalTransition, match="已办结"):
        services.help_request_resolve(request=req, actor=dispatcher, what_was_done="x")


@pytest.mark.parametrize(
    "call",
    [
        lambda req, u: services.help_request_reject(request=req, actor=u, reason="  "),
        lambda req, u: services.help_request_withdraw(request=req, actor=u, reason=""),
        lambda req, u: services.help_request_mark_duplicate(
            request=req, actor=u, original=req, reason="x"
        ),
        lambda req, u: services.help_request_transfer(request=req, actor=u),
        lambda req, u: services.help_request_note(request=req, actor=u, text=""),
    ],
)
def test_transition_without_required_detail_changes_nothing(call, dispatcher):
    req = make_request()
    with pytest.raises(services.IllegalTransition):
        call(req, dispatcher)
    assert req.events.count() == 1
    req.refresh_from_db()
    assert req.state == State.RECEIVED


def test_transfer_to_helper_sets_member_level_and_mails(
    dispatcher, committee, make_user, mailoutbox
):
    helper = make_user("helper", NAMED_HELPERS, email="helper@example.org")
    req = make_request(name="Secret Name")
    notices_send()
    mailoutbox.clear()
    with pytest.raises(services.IllegalTransition):
        services.help_request_transfer(
            request=req, actor=dispatcher, helper=helper, organisation=committee
        )
    services.help_request_transfer(request=req, actor=dispatcher, helper=helper)
    assert mailoutbox == []  # queued in the transaction, sent by the notice worker
    assert notices_send().sent == 1
    req.refresh_from_db()
    assert req.holder_user == helper and req.level == Level.MEMBER
    assert [m.to for m in mailoutbox] == [["helper@example.org"]]
    assert "13800001234" not in mailoutbox[0].body and "Secret Name" not in mailoutbox[0].body


def test_duplicate_links_the_original(dispatcher):
    original, copy = make_request(), make_request()
    services.help_request_mark_duplicate(
        request=copy, actor=dispatcher, original=original, reason="Same"
    )
    copy.refresh_from_db()
    assert copy.duplicate_of == original


def test_events_are_append_only(dispatcher):
    event = make_request().events.get()
    event.text = "rewritten"
    with pytest.raises(ValueError):
        event.save()


# --- Staff pages ------------------------------------------------------------------------


def test_queue_access_matrix(client, dispatcher, make_user, branch_a, branch_b, officer_a):
    req_a, req_b, req_new = make_request(), make_request(), make_request()
    services.help_request_transfer(request=req_a, actor=dispatcher, organisation=branch_a)
    services.help_request_transfer(request=req_b, actor=dispatcher, organisation=branch_b)
    url = reverse("helpdesk:staff-queue")
    assert client.get(url).status_code == 302
    client.force_login(dispatcher)
    html = client.get(url).content.decode()
    assert all(r.display_code in html for r in (req_a, req_b, req_new))
    assert "13800001234" not in html and "138****1234" in html
    handler = make_user("handler_a", HELP_HANDLERS, [branch_a])
    client.force_login(handler)
    html = client.get(url).content.decode()
    assert req_a.display_code in html
    assert req_b.display_code not in html and req_new.display_code not in html
    assert client.get(reverse("helpdesk:staff-detail", args=[req_b.pk])).status_code == 404
    assert (
        client.post(reverse("helpdesk:staff-action", args=[req_b.pk, "start"])).status_code == 404
    )


def test_detail_shows_full_phone_only_to_holder(client, desk, dispatcher, make_user, branch_a):
    req = make_request()
    services.help_request_transfer(request=req, actor=dispatcher, organisation=branch_a)
    handler = make_user("handler_a", HELP_HANDLERS, [branch_a])
    url = reverse("helpdesk:staff-detail", args=[req.pk])
    client.force_login(handler)
    assert "13800001234" in client.get(url).content.decode()
    client.force_login(desk)
    assert "13800001234" not in client.get(url).content.decode()


def test_staff_actions_move_the_request(client, dispatcher, committee):
    req = make_request()
    client.force_login(dispatcher)
    url = lambda action: reverse("helpdesk:staff-action", args=[req.pk, action])  # noqa: E731
    client.post(url("transfer"), {"organisation": committee.pk, "confirmed": "1"})
    client.post(url("start"), {"text": ""})
    client.post(url("note"), {"text": "Called the garage"})
    client.post(url("resolve"), {"text": "Garage fixed the hose"})
    client.post(url("follow-up"), {"satisfied": "yes", "text": ""})
    client.post(url("close"), {"text": "", "confirmed": "1"})
    req.refresh_from_db()
    assert req.state == State.CLOSED
    response = client.post(url("resolve"), {"text": "again"})
    # Refused, and said why: the panel is gone since the request is closed.
    assert response.status_code == 400
    assert 'class="message error"' in response.content.decode()
    req.refresh_from_db()
    assert req.state == State.CLOSED


def test_queue_orders_urgent_then_due(client, dispatcher):
    calm = make_request()
    urgent = make_request(urgent=True)
    client.force_login(dispatcher)
    html = client.get(reverse("helpdesk:staff-queue")).content.decode()
    assert html.index(urgent.display_code) < html.index(calm.display_code)


def test_queue_filters(client, dispatcher, committee):
    legal = make_request(category="legal")
    other = make_request(category="other")
    client.force_login(dispatcher)
    html = client.get(reverse("helpdesk:staff-queue"), {"category": "legal"}).content.decode()
    assert legal.display_code in html and other.display_code not in html
    html = client.get(reverse("helpdesk:staff-queue"), {"state": "\x00"}).content.decode()
    assert legal.display_code in html


def test_queue_query_count_is_flat(client, dispatcher, committee, django_assert_num_queries):
    for _ in range(6):
        services.help_request_transfer(
            request=make_request(), actor=dispatcher, organisation=committee
        )
    client.force_login(dispatcher)
    client.get(reverse("helpdesk:staff-queue"))
    # One more than before paging: the count that says how many requests there are.
    with django_assert_num_queries(7):
        client.get(reverse("helpdesk:staff-queue"))


def test_detail_query_count(client, dispatcher, committee, django_assert_num_queries):
    req = make_request()
    services.help_request_transfer(request=req, actor=dispatcher, organisation=committee)
    for index in range(5):
        services.help_request_note(request=req, actor=dispatcher, text=f"note {index}")
    client.force_login(dispatcher)
    client.get(reverse("helpdesk:staff-detail", args=[req.pk]))
    # The transfer picker: the assistance chain and the help-role accounts with their
    # organisations, a fixed number of queries whatever the history's length.
    with django_assert_num_queries(9):
        response = client.get(reverse("helpdesk:staff-detail", args=[req.pk]))
    assert response.content.decode().count("note ") == 5
