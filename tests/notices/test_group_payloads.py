"""Group robots: the exact payload of each provider, and no personal data in any of them."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import unquote_plus

import pytest
from django.utils import timezone

from accounts.roles import DISPATCHERS, HELP_HANDLERS
from helpdesk.services.escalation import escalate_overdue
from helpdesk.services.notices import STAFF_KINDS
from helpdesk.services.requests import help_request_transfer
from notices.models import Notice
from notices.outbox import notices_send
from tests.helpdesk.helpers import make_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_settings")]

PHONE = "13912345678"
NAME = "SECRETNAME"
DESCRIPTION = "SECRET-DESCRIPTION brakes failed"


def personal_request(**extra):
    return make_request(phone=PHONE, name=NAME, description=DESCRIPTION, **extra)


def test_wecom_text_payload(endpoint, make_group):
    make_group("wecom", format="text")
    request = personal_request()
    assert notices_send().sent == 1
    call = endpoint.calls[0]
    assert call["path"] == "/wecom/send" and call["query"] == {"key": "abc"}
    assert call["content_type"].startswith("application/json")
    payload = endpoint.json()
    assert list(payload) == ["msgtype", "text"] and payload["msgtype"] == "text"
    content = payload["text"]["content"]
    assert list(payload["text"]) == ["content"]
    assert request.display_code in content
    assert f"https://driverhome.example/staff/help/{request.pk}/" in content


def test_wecom_markdown_payload(endpoint, make_group):
    make_group("wecom", format="markdown", language="en")
    request = personal_request(urgent=True)
    notices_send()
    payload = endpoint.json()
    assert payload["msgtype"] == "markdown" and list(payload["markdown"]) == ["content"]
    content = payload["markdown"]["content"]
    link = f"https://driverhome.example/en/staff/help/{request.pk}/"
    assert content.startswith(f"### [URGENT help request {request.display_code}]({link})")
    assert "- Category: Vehicle breakdown or repair" in content
    assert "- Urgency: urgent" in content and "- Place: G228 km 12" in content
    assert "- Due: " in content


def test_dingtalk_signed_payload(endpoint, make_group):
    secret = "SECtestsecret0123"
    make_group("dingtalk", url=f"{endpoint.url}/robot/send?access_token=tok", secret=secret)
    request = personal_request()
    before = int(timezone.now().timestamp() * 1000)
    notices_send()
    call = endpoint.calls[0]
    assert call["query"]["access_token"] == "tok"
    timestamp = call["query"]["timestamp"]
    assert abs(int(timestamp) - before) < 60_000
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    # parse_qs already decoded the URL-encoded signature once.
    assert call["query"]["sign"] == expected
    payload = endpoint.json()
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == f"新求助 {request.display_code}"
    assert request.display_code in payload["markdown"]["text"]


def test_dingtalk_text_without_secret_has_no_signature(endpoint, make_group):
    make_group("dingtalk", url=f"{endpoint.url}/robot/send?access_token=tok", format="text")
    personal_request()
    notices_send()
    assert set(endpoint.calls[0]["query"]) == {"access_token"}
    assert list(endpoint.json()) == ["msgtype", "text"]


def test_feishu_signed_payload(endpoint, make_group):
    endpoint.default = (200, {"code": 0, "msg": "success"})
    make_group("feishu", url=f"{endpoint.url}/open-apis/bot/v2/hook/abc", secret="fs-secret")
    request = personal_request()
    notices_send()
    payload = endpoint.json()
    assert list(payload) == ["timestamp", "sign", "msg_type", "content"]
    assert payload["msg_type"] == "text" and request.display_code in payload["content"]["text"]
    key = f"{payload['timestamp']}\nfs-secret".encode()
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert payload["sign"] == expected


def test_feishu_unsigned_and_refusal_is_retried(endpoint, make_group):
    endpoint.default = (200, {"code": 19021, "msg": "sign match fail"})
    make_group("feishu", url=f"{endpoint.url}/hook")
    personal_request()
    report = notices_send()
    assert list(endpoint.json()) == ["msg_type", "content"]
    assert report.retried == 1
    assert "19021" in Notice.objects.get().last_error


def test_no_personal_data_in_any_group_notice_kind(
    endpoint, make_group, committee, branch_a, make_user, mailoutbox
):
    """Every staff notice kind, on every provider and format: no phone, name or description."""
    make_user("desk", DISPATCHERS, email="desk@example.org")
    make_user("handler", HELP_HANDLERS, organisations=[branch_a], email="h@example.org")
    for organisation in (None, branch_a, committee):
        make_group("wecom", organisation, format="text", name=f"w-t-{organisation}")
        make_group("wecom", organisation, format="markdown", name=f"w-m-{organisation}")
        make_group("dingtalk", organisation, secret="SECx", name=f"d-{organisation}")
        make_group("feishu", organisation, secret="f", name=f"f-{organisation}")
    plain = personal_request()
    personal_request(urgent=True)
    help_request_transfer(request=plain, actor=None, organisation=branch_a)
    plain.refresh_from_db()
    escalate_overdue(now=plain.due_at + timedelta(minutes=1))  # branch → committee
    plain.refresh_from_db()
    escalate_overdue(now=plain.due_at + timedelta(minutes=1))  # at the top: overdue
    kinds = set(Notice.objects.filter(channel="group").values_list("kind", flat=True))
    assert kinds == set(STAFF_KINDS)
    later = plain.due_at + timedelta(days=30)
    while notices_send(now=later).handled:
        pass
    assert set(Notice.objects.values_list("state", flat=True)) == {"sent"}
    assert len(endpoint.calls) == Notice.objects.filter(channel="group").count() > 12
    assert len(mailoutbox) == Notice.objects.filter(channel="email").count() > 0
    texts = [call["raw"].decode() for call in endpoint.calls]
    texts += [json.dumps(endpoint.json(i), ensure_ascii=False) for i in range(len(texts))]
    texts += [unquote_plus(text) for text in texts]
    texts += [f"{m.subject}\n{m.body}" for m in mailoutbox]
    for text in texts:
        for secret in (PHONE, PHONE[-4:], NAME, "SECRET-DESCRIPTION", "brakes"):
            assert secret not in text
    assert all(plain.display_code in t or "-" in t for t in texts)
