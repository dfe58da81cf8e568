"""Urgent deadlines at every step, the full escalation walk, and help routed to a station.

Frozen clock (``timezone.now`` patched) across a Friday night and a weekend, Asia/Shanghai.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import HELP_HANDLERS
from helpdesk.choices import Level, State
from helpdesk.models import HelpEvent, HelpRequest
from helpdesk.services import requests as services
from helpdesk.services.escalation import escalate_overdue
from notices.models import Notice

from .helpers import make_request

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
FRIDAY_NIGHT = datetime(2026, 11, 27, 22, 0, tzinfo=SH)  # a Friday


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = FRIDAY_NIGHT

        def advance(self, **delta):
            self.now = self.now + timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def chain(make_user, branch_a, committee):
    """A party member (help handler of branch A) on duty, and people at every level."""
    member = make_user("member_li", HELP_HANDLERS, [branch_a], email="li@example.org")
    committee_sec = make_user("committee_sec", HELP_HANDLERS, [committee], email="c@example.org")
    return member, committee_sec


def _snapshot(req):
    req.refresh_from_db()
    return (req.state, req.level, req.holder_user_id, req.holder_organisation_id, req.due_at)


def test_urgent_deadlines_are_wall_clock_hours_at_every_step(clock, dispatcher, committee):
    req = make_request(urgent=True)
    assert req.due_at == FRIDAY_NIGHT + timedelta(minutes=15)
    services.help_request_transfer(request=req, actor=dispatcher, organisation=committee)
    req.refresh_from_db()
    # Friday 22:00: first feedback by midnight, not Tuesday.
    assert req.due_at == FRIDAY_NIGHT + timedelta(hours=2)
    clock.advance(hours=1)
    services.help_request_start(request=req, actor=dispatcher)
    req.refresh_from_db()
    # Resolution counts from receipt: Saturday 22:00.
    assert req.due_at == FRIDAY_NIGHT + timedelta(hours=24)
    clock.advance(hours=2)
    services.help_request_resolve(request=req, actor=dispatcher, what_was_done="Tyre fixed")
    req.refresh_from_db()
    assert req.due_at == clock.now + timedelta(hours=24)  # call back on Sunday, not Tuesday


def test_rescue_counts_as_urgent_and_settings_change_the_hours(
    clock, dispatcher, committee, settings
):
    settings.HELP_URGENT_FEEDBACK_HOURS = 5
    req = make_request(category="rescue")
    services.help_request_transfer(request=req, actor=dispatcher, organisation=committee)
    req.refresh_from_db()
    assert req.due_at == FRIDAY_NIGHT + timedelta(hours=5)
    calm = make_request()
    services.help_request_transfer(request=calm, actor=dispatcher, organisation=committee)
    calm.refresh_from_db()
    assert calm.due_at == datetime(2026, 12, 1, 22, 0, tzinfo=SH)  # 2 working days: Tuesday


def test_unclaimed_urgent_request_walks_every_level_over_the_weekend(
    clock, chain, branch_a, committee
):
    member, committee_sec = chain
    req = make_request(urgent=True)
    assert req.level == Level.INDIVIDUAL
    levels = [req.level]

    clock.advance(minutes=16)  # nobody transferred it: to a party member on duty
    assert escalate_overdue() == 1
    req.refresh_from_db()
    assert (req.level, req.holder_user, req.holder_organisation) == (Level.MEMBER, member, None)
    assert req.state == State.TRANSFERRED
    assert req.due_at == clock.now + timedelta(hours=2)
    # The member is told at once: a notice queued in the same transaction, by e-mail.
    assert Notice.objects.filter(kind="escalated", to="li@example.org").count() == 1
    levels.append(req.level)

    snapshot = _snapshot(req)
    events = HelpEvent.objects.count()
    assert escalate_overdue() == 0  # twice changes nothing
    assert _snapshot(req) == snapshot and HelpEvent.objects.count() == events

    clock.advance(hours=2, minutes=1)  # Saturday 00:17: up to the member's branch
    assert escalate_overdue() == 1
    req.refresh_from_db()
    assert (req.level, req.holder_user, req.holder_organisation) == (Level.BRANCH, None, branch_a)
    levels.append(req.level)
    assert escalate_overdue() == 0

    clock.advance(hours=2, minutes=1)  # Saturday 02:18: up to the industry committee
    assert escalate_overdue() == 1
    req.refresh_from_db()
    assert (req.level, req.holder_organisation) == (Level.COMMITTEE, committee)
    assert Notice.objects.filter(kind="escalated", to="c@example.org").count() == 1
    levels.append(req.level)

    clock.advance(days=2)  # Monday: at the top, nothing further; idempotent
    assert escalate_overdue() == 0
    assert escalate_overdue() == 0
    assert levels == [Level.INDIVIDUAL, Level.MEMBER, Level.BRANCH, Level.COMMITTEE]
    escalations = req.events.filter(kind=HelpEvent.Kind.ESCALATED)
    assert escalations.count() == 3


def test_duty_member_is_the_least_loaded_branch_handler(clock, make_user, branch_a, branch_b):
    busy = make_user("busy", HELP_HANDLERS, [branch_a])
    free = make_user("free", HELP_HANDLERS, [branch_b])
    first = make_request(urgent=True)
    clock.advance(minutes=16)
    escalate_overdue()
    first.refresh_from_db()
    assert first.holder_user == busy  # equal load: the oldest account
    clock.advance(minutes=1)
    second = make_request(urgent=True)
    clock.advance(minutes=16)
    escalate_overdue()
    second.refresh_from_db()
    assert second.holder_user == free


def test_without_anyone_at_a_level_the_walk_goes_on_to_the_next(clock, committee):
    req = make_request(urgent=True)
    clock.advance(minutes=16)
    assert escalate_overdue() == 1
    req.refresh_from_db()
    assert (req.level, req.holder_organisation) == (Level.COMMITTEE, committee)


# --- Help routed to the station ---------------------------------------------------------


@pytest.fixture
def routed(make_user, make_station, branch_a):
    helper = make_user("qisha_helper", HELP_HANDLERS, [branch_a], email="qh@example.org")
    here = make_station(
        name="七沙司机之家", slug="qisha", helper_user=helper, helper_team="七沙站服务队"
    )
    there = make_station(name="东兴司机之家", slug="dongxing-home")
    return helper, here, there


def test_request_from_a_station_is_held_by_its_helper_at_once(clock, routed, client):
    helper, here, there = routed
    req = make_request(station=here)
    assert (req.state, req.holder_user, req.level) == (State.TRANSFERRED, helper, Level.MEMBER)
    assert req.events.filter(kind=HelpEvent.Kind.TRANSFERRED, to_user=helper).exists()
    # Usual (non-urgent) deadline: first feedback in 2 working days.
    assert req.due_at == datetime(2026, 12, 1, 22, 0, tzinfo=SH)
    assert Notice.objects.filter(kind="transferred", to="qh@example.org").exists()

    other = make_request(station=there)
    assert other.state == State.RECEIVED and other.holder_user is None
    visible = set(HelpRequest.objects.visible_to(helper))
    assert visible == {req}

    client.force_login(helper)
    page = client.get(reverse("helpdesk:staff-queue"))
    assert page.status_code == 200
    assert req.display_code in page.content.decode()
    assert other.display_code not in page.content.decode()


def test_request_from_a_station_with_an_organisation_helper(
    clock, make_station, branch_b, make_user, dispatcher
):
    handler_b = make_user("handler_b", HELP_HANDLERS, [branch_b])
    station = make_station(slug="port-lot", helper_organisation=branch_b)
    req = make_request(station=station)
    assert (req.state, req.holder_organisation, req.level) == (
        State.TRANSFERRED,
        branch_b,
        Level.BRANCH,
    )
    assert list(HelpRequest.objects.visible_to(handler_b)) == [req]
    assert req in HelpRequest.objects.visible_to(dispatcher)


def test_a_helper_without_the_role_leaves_the_request_at_the_desk(clock, make_user, make_station):
    nobody = make_user("no_role")
    station = make_station(slug="no-role", helper_user=nobody)
    req = make_request(station=station)
    assert req.state == State.RECEIVED and req.holder_user is None


def test_station_page_names_the_team_never_the_person(client, routed):
    helper, here, _there = routed
    helper.first_name, helper.last_name = "Li", "Wei"
    helper.save()
    body = client.get(here.get_absolute_url()).content.decode()
    assert "七沙站服务队" in body
    assert "Wei" not in body and "qisha_helper" not in body and "qh@example.org" not in body
