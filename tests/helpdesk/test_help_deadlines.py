"""Deadlines in Asia/Shanghai working days and escalation, with a frozen clock."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import HELP_HANDLERS, NAMED_HELPERS
from helpdesk.choices import Level, State
from helpdesk.deadlines import add_working_days
from helpdesk.models import CategoryDeadline, HelpEvent
from helpdesk.services import requests as services
from helpdesk.services.escalation import escalate_overdue
from notices.outbox import notices_send

from .helpers import make_request

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    # November 2026: the 27th is a Friday, 28th/29th the weekend, 30th a Monday.
    return (
        datetime(2026, 11, day, hour, minute, tzinfo=SH)
        if day <= 30
        else datetime(2026, 12, day - 30, hour, minute, tzinfo=SH)
    )


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = at(27, 16)

        def set(self, value):
            self.now = value

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def test_working_days_skip_the_weekend():
    assert at(27, 16).weekday() == 4
    assert add_working_days(at(27, 16), 2) == at(31, 16)  # Friday → Tuesday 1 Dec
    assert add_working_days(at(28, 10), 2) == at(31, 10)  # Saturday → Tuesday
    assert add_working_days(at(30, 9), 5) == at(37, 9)  # Monday → next Monday


def test_working_days_respect_holidays(settings):
    settings.CARE_HOLIDAYS = ["2026-11-30"]
    assert add_working_days(at(27, 16), 2) == at(32, 16)
    settings.CARE_EXTRA_WORKDAYS = ["2026-11-29"]
    assert add_working_days(at(27, 16), 2) == at(31, 16)


def test_transfer_deadline_is_wall_clock_at_night(clock):
    clock.set(at(27, 23, 50))  # Friday night
    calm = make_request()
    urgent = make_request(urgent=True)
    rescue = make_request(category="rescue")
    assert calm.due_at == at(28, 1, 50)
    assert urgent.due_at == at(28, 0, 5)
    assert rescue.due_at == at(28, 0, 5)


def test_deadlines_follow_each_state(clock, dispatcher, committee):
    req = make_request()
    assert req.due_at == at(27, 18)
    clock.set(at(27, 17))
    services.help_request_transfer(request=req, actor=dispatcher, organisation=committee)
    req.refresh_from_db()
    assert req.due_at == at(31, 17)  # first feedback: 2 working days over the weekend
    clock.set(at(30, 9))
    services.help_request_start(request=req, actor=dispatcher)
    req.refresh_from_db()
    assert req.due_at == at(34, 16)  # resolution: 5 working days from receipt
    clock.set(at(31, 11))
    services.help_request_resolve(request=req, actor=dispatcher, what_was_done="Fixed")
    req.refresh_from_db()
    assert req.due_at == at(33, 11)  # follow-up: 2 working days from resolution
    services.help_request_follow_up(request=req, actor=dispatcher, satisfied=True)
    services.help_request_close(request=req, actor=dispatcher)
    req.refresh_from_db()
    assert req.due_at is None


def test_deadlines_configurable_per_category(clock):
    CategoryDeadline.objects.create(category="legal", transfer_minutes=480)
    assert make_request(category="legal").due_at == at(28, 0)
    assert make_request(category="other").due_at == at(27, 18)


def test_escalation_climbs_the_chain_and_is_idempotent(
    clock,
    dispatcher,
    make_user,
    branch_a,
    committee,
    mailoutbox,
):
    helper = make_user("member_li", NAMED_HELPERS, [branch_a], email="li@example.org")
    make_user("branch_sec", HELP_HANDLERS, [branch_a], email="branch@example.org")
    make_user("committee_sec", HELP_HANDLERS, [committee], email="committee@example.org")
    req = make_request()
    services.help_request_transfer(request=req, actor=dispatcher, helper=helper)
    req.refresh_from_db()
    assert req.level == Level.MEMBER and req.due_at == at(31, 16)
    notices_send()
    mailoutbox.clear()

    clock.set(at(30, 12))  # Monday: not late yet
    assert escalate_overdue() == 0

    clock.set(at(31, 16, 1))  # Tuesday, one minute late: up to the party branch
    assert escalate_overdue() == 1
    assert mailoutbox == []  # queued, sent by the notice worker
    notices_send()
    req.refresh_from_db()
    assert (req.level, req.holder_organisation, req.holder_user) == (Level.BRANCH, branch_a, None)
    assert req.state == State.TRANSFERRED
    # The named helper no longer holds it: the branch's help handlers are told.
    assert sorted(mailoutbox[0].to) == ["branch@example.org"]
    assert req.code[:4] in mailoutbox[0].subject and "1380000" not in mailoutbox[0].body

    events = HelpEvent.objects.count()
    snapshot = req.__dict__.copy()
    assert escalate_overdue() == 0  # the second run changes nothing
    call_command("escalate_overdue")
    notices_send()
    req.refresh_from_db()
    assert HelpEvent.objects.count() == events
    assert req.due_at == snapshot["due_at"] and req.level == Level.BRANCH
    assert len(mailoutbox) == 1

    clock.set(at(33, 16, 2))  # Thursday: branch late too, up to the industry committee
    assert escalate_overdue() == 1
    req.refresh_from_db()
    assert (req.level, req.holder_organisation) == (Level.COMMITTEE, committee)

    clock.set(at(40, 0))  # far later: at the top, nothing further
    assert escalate_overdue() == 0
    assert escalate_overdue() == 0


def test_untransferred_request_at_night_goes_to_the_committee(clock, committee):
    clock.set(at(27, 23))
    req = make_request(urgent=True)
    clock.set(at(27, 23, 14))
    assert escalate_overdue() == 0
    clock.set(at(27, 23, 16))
    assert escalate_overdue() == 1
    req.refresh_from_db()
    assert req.state == State.TRANSFERRED and req.holder_organisation == committee
    assert escalate_overdue() == 0


def test_closed_requests_are_never_escalated(clock, dispatcher, committee):
    req = make_request()
    services.help_request_withdraw(request=req, actor=dispatcher, reason="Fixed")
    clock.set(at(40, 0))
    assert escalate_overdue() == 0
