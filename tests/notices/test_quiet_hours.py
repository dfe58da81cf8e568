"""Quiet hours per group, and the urgent override, with a frozen clock."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notices.models import GroupWebhook, Notice
from notices.outbox import notices_send
from tests.helpdesk.helpers import make_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_settings")]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour, minute=0, day=7):
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "end", "now", "until"),
    [
        (time(22), time(7), at(23, 30), at(7, day=8)),
        (time(22), time(7), at(3), at(7)),
        (time(22), time(7), at(7), None),
        (time(22), time(7), at(21, 59), None),
        (time(12), time(14), at(13), at(14)),
        (time(12), time(14), at(14, 1), None),
        (None, time(7), at(3), None),
        (time(7), time(7), at(7), None),
    ],
)
def test_quiet_until(start, end, now, until):
    group = GroupWebhook(quiet_start=start, quiet_end=end)
    assert group.quiet_until(now) == until


def test_quiet_hours_hold_a_normal_request_until_morning(endpoint, make_group):
    make_group("wecom", quiet_start=time(22), quiet_end=time(7))
    with time_machine.travel(at(23, 30), tick=False):
        make_request()
        notice = Notice.objects.get(channel="group")
        assert notice.next_attempt_at == at(7, day=8)
        assert notices_send().handled == 0
    with time_machine.travel(at(6, 59, day=8), tick=False):
        assert notices_send().handled == 0
    assert endpoint.calls == []
    with time_machine.travel(at(7, 0, day=8), tick=False):
        assert notices_send().sent == 1
    assert len(endpoint.calls) == 1


def test_urgent_request_goes_out_in_quiet_hours(endpoint, make_group):
    make_group("wecom", quiet_start=time(22), quiet_end=time(7))
    with time_machine.travel(at(23, 30), tick=False):
        make_request(urgent=True)
        assert notices_send().sent == 1
    assert "URGENT" in endpoint.json()["markdown"]["content"] or "紧急" in str(endpoint.json())


def test_a_retry_that_falls_in_quiet_hours_waits_without_using_a_try(endpoint, make_group):
    endpoint.replies = [(500, {})]
    make_group("wecom", quiet_start=time(22), quiet_end=time(7))
    with time_machine.travel(at(21, 59).replace(second=30), tick=False):
        make_request()
        assert notices_send().retried == 1
    with time_machine.travel(at(22, 1), tick=False):
        # The retry is due now, but the group's quiet hours have begun.
        assert notices_send().deferred == 1
        notice = Notice.objects.get(channel="group")
        assert (notice.state, notice.attempts) == ("pending", 1)
        assert notice.next_attempt_at == at(7, day=8)
    with time_machine.travel(at(7, 0, day=8), tick=False):
        assert notices_send().sent == 1
    assert len(endpoint.calls) == 2


def test_quiet_hours_of_one_group_do_not_hold_another(endpoint, make_group):
    make_group("wecom", name="night-off", quiet_start=time(22), quiet_end=time(7))
    make_group("feishu", name="always-on")
    with time_machine.travel(at(23, 30), tick=False):
        make_request()
        assert notices_send().sent == 1
    assert endpoint.calls[0]["path"] == "/feishu/send"
