"""The outbox worker: retries with growing back-off, "failed" at the end, no double sends."""

import os
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import HelpRequest
from notices.models import Notice
from notices.outbox import notice_queue, notices_claim, notices_send, retry_delay
from tests.helpdesk.helpers import make_request

pytestmark = [pytest.mark.usefixtures("notice_settings")]
ROOT = Path(__file__).resolve().parents[2]


def queue_group_notice(group, **extra):
    values = {
        "channel": Notice.Channel.GROUP,
        "kind": "received",
        "topic": "test:1",
        "language": "en",
        "subject": "New help request ABCD-1234",
        "body": "Category: Other",
        "group": group,
    }
    values.update(extra)
    return notice_queue(**values)


@pytest.mark.django_db
def test_retry_delay_doubles_up_to_the_cap(settings):
    settings.NOTICE_RETRY_SECONDS = 60
    settings.NOTICE_RETRY_MAX_SECONDS = 600
    assert [retry_delay(n).total_seconds() for n in range(1, 6)] == [60, 120, 240, 480, 600]


@pytest.mark.django_db
def test_worker_retries_after_a_500_and_then_sends(endpoint, make_group):
    endpoint.replies = [(500, {"errmsg": "busy"}), (500, {"errmsg": "busy"})]
    notice = queue_group_notice(make_group("wecom"))
    now = timezone.now()
    assert notices_send(now=now).retried == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.last_error) == ("pending", 1, "HTTP 500")
    assert notice.next_attempt_at == now + timedelta(seconds=60)
    # Not due yet: nothing is sent before the back-off has passed.
    assert notices_send(now=now + timedelta(seconds=59)).handled == 0
    assert notices_send(now=now + timedelta(seconds=60)).retried == 1
    notice.refresh_from_db()
    assert notice.next_attempt_at == now + timedelta(seconds=60 + 120)
    assert notices_send(now=now + timedelta(seconds=180)).sent == 1
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.last_error) == ("sent", 3, "")
    assert len(endpoint.calls) == 3


@pytest.mark.django_db
def test_worker_marks_failed_after_the_last_try_and_admin_shows_it(
    endpoint, make_group, admin_client
):
    endpoint.default = (500, {})
    notice = queue_group_notice(make_group("wecom"))
    now = timezone.now()
    for step in range(3):
        notices_send(now=now + timedelta(hours=step))
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("failed", 3)
    assert notices_send(now=now + timedelta(days=1)).handled == 0
    assert len(endpoint.calls) == 3
    page = admin_client.get(reverse("admin:notices_notice_changelist") + "?state=failed")
    assert page.status_code == 200
    html = page.content.decode()
    assert "HTTP 500" in html and "New help request ABCD-1234" in html
    # The admin's action puts it back in the queue with a fresh count.
    admin_client.post(
        reverse("admin:notices_notice_changelist"),
        {"action": "retry", "_selected_action": [notice.pk]},
    )
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == ("pending", 0)


@pytest.mark.django_db
def test_hanging_endpoint_times_out_and_is_retried(endpoint, make_group, settings):
    settings.NOTICE_HTTP_TIMEOUT = 1
    endpoint.hang = True
    notice = queue_group_notice(make_group("dingtalk"))
    assert notices_send().retried == 1
    notice.refresh_from_db()
    assert notice.state == "pending" and "unreachable" in notice.last_error


@pytest.mark.django_db
def test_refused_connection_is_retried(make_group, settings):
    group = make_group("wecom", url="http://127.0.0.1:9/send")
    notice = queue_group_notice(group)
    assert notices_send().retried == 1
    notice.refresh_from_db()
    assert notice.state == "pending" and notice.attempts == 1


@pytest.mark.django_db
def test_no_second_send_after_a_worker_restart(endpoint, make_group):
    queue_group_notice(make_group("wecom"))
    call_command("send_notices", "--once", stdout=open(os.devnull, "w"))  # noqa: SIM115
    # A new worker process (here: a new command run) finds nothing left to send.
    call_command("send_notices", "--once", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert len(endpoint.calls) == 1
    assert Notice.objects.get().state == "sent"


@pytest.mark.django_db
def test_a_dead_workers_claim_is_taken_over_only_after_its_lease(endpoint, make_group, settings):
    settings.NOTICE_LEASE_SECONDS = 300
    notice = queue_group_notice(make_group("wecom"))
    now = timezone.now()
    # A worker claims the notice and dies before sending it.
    assert [n.pk for n in notices_claim(now=now, limit=10, token="dead")] == [notice.pk]
    assert notices_send(now=now + timedelta(seconds=299)).handled == 0
    assert endpoint.calls == []
    assert notices_send(now=now + timedelta(seconds=301)).sent == 1
    # The dead worker's late outcome cannot overwrite the new one.
    Notice.objects.filter(pk=notice.pk, claim_token="dead").update(state="failed")
    notice.refresh_from_db()
    assert notice.state == "sent" and len(endpoint.calls) == 1


@pytest.mark.django_db
def test_two_claims_never_share_a_notice(make_group):
    group = make_group("wecom")
    for index in range(6):
        queue_group_notice(group, topic=f"test:{index}")
    now = timezone.now()
    first = {n.pk for n in notices_claim(now=now, limit=4, token="a")}
    second = {n.pk for n in notices_claim(now=now, limit=4, token="b")}
    assert len(first) == 4 and len(second) == 2 and not first & second


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_notice_once(endpoint, make_group):
    """Two worker threads (own database connections) race over the same queue."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:"):
        pytest.skip("in-memory SQLite test databases are not shared between threads")
    group = make_group("wecom")
    for index in range(30):
        queue_group_notice(group, topic=f"test:{index}")
    barrier = threading.Barrier(2)

    def work():
        barrier.wait()
        try:
            while notices_send(limit=3).handled:
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(endpoint.calls) == 30
    assert set(Notice.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)
def test_worker_command_processes_against_the_real_database(endpoint, make_group, settings):
    """Two `manage.py send_notices --once` processes against this database (PostgreSQL in CI)."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in memory; the PostgreSQL leg runs this")
    group = make_group("wecom")
    for index in range(40):
        queue_group_notice(group, topic=f"test:{index}")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "SITE_URL": settings.SITE_URL}
    command = [sys.executable, "manage.py", "send_notices", "--once", "--limit", "5"]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL) for _ in range(2)
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    assert len(endpoint.calls) == 40
    assert Notice.objects.filter(state="sent").count() == 40


@pytest.mark.django_db
def test_driver_request_is_stored_when_queueing_a_notice_breaks(client, monkeypatch, endpoint):
    from helpdesk.services import notices

    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(notices, "notice_queue", broken)
    request = make_request(sms_opt_in=True)
    assert HelpRequest.objects.filter(pk=request.pk).exists()
    assert Notice.objects.count() == 0


@pytest.mark.django_db
def test_outbox_admin_list_queries_do_not_grow_with_rows(admin_client, make_group):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:notices_notice_changelist")
    group = make_group("wecom")
    counts = []
    for rows in (3, 12):
        Notice.objects.all().delete()
        for index in range(rows):
            queue_group_notice(group, topic=f"test:{index}")
        notice_queue(
            channel=Notice.Channel.SMS,
            kind="received",
            topic="test:sms",
            language="vi",
            subject="X",
            body="Y",
            to="13912345678",
        )
        with CaptureQueriesContext(db) as queries:
            html = admin_client.get(url).content.decode()
        counts.append(len(queries))
        assert "139****5678" in html and "13912345678" not in html
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_a_backend_bug_is_retried_and_the_worker_goes_on(settings):
    settings.SMS_BACKEND = "tests.notices.test_worker.BrokenSmsBackend"
    make_request(sms_opt_in=True)
    report = notices_send()
    assert report.retried == 1
    sms = Notice.objects.get(channel="sms")
    assert sms.state == "pending" and sms.last_error == "KeyError: 'boom'"


class BrokenSmsBackend:
    def send(self, **kwargs):
        raise KeyError("boom")


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_forms")
def test_help_form_answers_without_touching_hanging_endpoints(
    client, endpoint, make_group, settings
):
    """Every robot and the SMS provider hang: the form only queues, and answers at once."""
    from helpdesk.forms.requests import HelpRequestForm

    endpoint.hang = True
    for provider in ("wecom", "dingtalk", "feishu"):
        make_group(provider)
    settings.SMS_BACKEND = "notices.sms.AliyunSmsBackend"
    settings.SMS_ENDPOINT = endpoint.url
    settings.SMS_TEMPLATES = "received=SMS_1"
    data = {
        "token": HelpRequestForm.new_token(),
        "category": "rescue",
        "description": "Stuck",
        "phone": "13912345678",
        "location_text": "G75",
        "sms_opt_in": "on",
        "website": "",
    }
    response = client.post(reverse("helpdesk:form"), data)
    assert response.status_code == 302
    assert endpoint.calls == []
    assert Notice.objects.filter(state="pending").count() == 4
