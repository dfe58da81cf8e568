"""Text messages to drivers: opt-in only, code and state only, the provider API, "TD"."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from helpdesk.forms.requests import HelpRequestForm
from helpdesk.models import HelpRequest
from helpdesk.services.notices import driver_notify
from helpdesk.services.requests import (
    help_request_resolve,
    help_request_start,
    help_request_transfer,
)
from notices.models import Notice, SmsOptOut
from notices.outbox import notices_send
from tests.helpdesk.helpers import make_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_settings", "fast_forms")]

PHONE = "13912345678"


def form_data(**overrides):
    data = {
        "token": HelpRequestForm.new_token(),
        "category": "breakdown",
        "description": "SECRET-DESCRIPTION engine",
        "phone": PHONE,
        "name": "SECRETNAME",
        "station": "",
        "latitude": "",
        "longitude": "",
        "location_text": "G228 near Qisha",
        "website": "",
    }
    data.update(overrides)
    return data


def sms():
    return list(Notice.objects.filter(channel="sms").order_by("created_at", "id"))


def test_help_form_offers_text_messages_unticked(client):
    html = client.get(reverse("helpdesk:form")).content.decode()
    assert 'name="sms_opt_in"' in html
    assert 'name="sms_opt_in" checked' not in html


def test_without_consent_no_text_message_is_queued(client, dispatcher, branch_a):
    assert client.post(reverse("helpdesk:form"), form_data()).status_code == 302
    request = HelpRequest.objects.get()
    assert request.sms_opt_in is False
    help_request_transfer(request=request, actor=dispatcher, organisation=branch_a)
    help_request_start(request=request, actor=dispatcher)
    help_request_resolve(request=request, actor=dispatcher, what_was_done="Towed")
    assert sms() == []


def test_with_consent_messages_carry_the_code_and_state_only(client, dispatcher, branch_a):
    response = client.post(reverse("helpdesk:form"), form_data(sms_opt_in="on"))
    assert response.status_code == 302
    request = HelpRequest.objects.get()
    assert request.sms_opt_in is True and request.language == "zh-hans"
    help_request_transfer(request=request, actor=dispatcher, organisation=branch_a)
    help_request_start(request=request, actor=dispatcher)
    help_request_resolve(request=request, actor=dispatcher, what_was_done="Towed to G228")
    messages = sms()
    assert [m.kind for m in messages] == ["received", "transferred", "started", "resolved"]
    for message in messages:
        assert message.to == PHONE
        assert message.params == {"code": request.display_code}
        assert request.display_code in message.body
        for secret in ("SECRET", "engine", "Towed", "G228", branch_a.name, PHONE):
            assert secret not in message.body
    assert "回复TD退订" in messages[0].body


def test_text_messages_are_in_the_language_the_driver_used(client):
    client.post("/vi/help/", form_data(sms_opt_in="on"))
    request = HelpRequest.objects.get()
    assert request.language == "vi"
    message = sms()[0]
    assert message.language == "vi"
    assert "Mã theo dõi" in message.body and request.display_code in message.body


def test_at_most_a_few_text_messages_a_day_per_request(settings):
    settings.SMS_PER_REQUEST_PER_DAY = 2
    request = make_request(phone=PHONE, sms_opt_in=True)
    driver_notify(request, "transferred")
    driver_notify(request, "started")
    assert [m.kind for m in sms()] == ["received", "transferred"]
    driver_notify(request, "resolved", now=timezone.now() + timedelta(days=1, minutes=1))
    assert [m.kind for m in sms()][-1] == "resolved"


def test_console_backend_logs_the_text(caplog):
    make_request(phone=PHONE, sms_opt_in=True)
    with caplog.at_level("WARNING", logger="notices.sms"):
        assert notices_send().sent == 1
    assert PHONE in caplog.text and sms()[0].body in caplog.text


def aliyun(settings, endpoint):
    settings.SMS_BACKEND = "notices.sms.AliyunSmsBackend"
    settings.SMS_ENDPOINT = f"{endpoint.url}/"
    settings.SMS_ACCESS_KEY_ID = "testid"
    settings.SMS_ACCESS_KEY_SECRET = "testsecret"
    settings.SMS_SIGN_NAME = "司机之家"
    settings.SMS_TEMPLATES = "received=SMS_100,received.vi=SMS_101,transferred=SMS_102"
    endpoint.default = (200, {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "x"})


def test_aliyun_backend_sends_the_template_request(settings, endpoint):
    aliyun(settings, endpoint)
    request = make_request(phone=PHONE, sms_opt_in=True)
    assert notices_send().sent == 1
    call = endpoint.calls[0]
    assert call["content_type"] == "application/x-www-form-urlencoded"
    form = endpoint.form()
    assert form["Action"] == "SendSms" and form["Version"] == "2017-05-25"
    assert form["PhoneNumbers"] == PHONE and form["SignName"] == "司机之家"
    assert form["TemplateCode"] == "SMS_100"
    assert json.loads(form["TemplateParam"]) == {"code": request.display_code}
    assert form["AccessKeyId"] == "testid" and form["SignatureMethod"] == "HMAC-SHA1"
    # The signature, recomputed here from Alibaba Cloud's documented recipe.
    signature = form.pop("Signature")

    def enc(value):
        return quote(value, safe="~")

    canonical = "&".join(f"{enc(k)}={enc(form[k])}" for k in sorted(form))
    to_sign = f"POST&%2F&{enc(canonical)}"
    expected = hmac.new(b"testsecret&", to_sign.encode(), hashlib.sha1).digest()
    assert signature == base64.b64encode(expected).decode()


def test_aliyun_backend_picks_the_language_template_and_strips_plus(settings, endpoint, client):
    aliyun(settings, endpoint)
    client.post("/vi/help/", form_data(sms_opt_in="on", phone="+84 912 345 678"))
    notices_send()
    form = endpoint.form()
    assert form["TemplateCode"] == "SMS_101" and form["PhoneNumbers"] == "84912345678"


def test_aliyun_refusal_is_retried_then_failed(settings, endpoint):
    aliyun(settings, endpoint)
    endpoint.default = (200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit"})
    make_request(phone=PHONE, sms_opt_in=True)
    now = timezone.now()
    for step in range(3):
        notices_send(now=now + timedelta(hours=step))
    message = sms()[0]
    assert message.state == "failed" and "BUSINESS_LIMIT_CONTROL" in message.last_error


def uplink(client, settings, replies, key="callback-secret"):
    settings.SMS_CALLBACK_TOKEN = "callback-secret"
    return client.post(
        f"/notices/sms/replies/{key}",
        json.dumps(replies, ensure_ascii=False),
        content_type="application/json",
    )


def test_td_reply_stops_text_messages(client, settings, dispatcher, branch_a):
    request = make_request(phone=PHONE, sms_opt_in=True)
    response = uplink(
        client,
        settings,
        [{"phone_number": PHONE, "content": " td ", "send_time": "2026-12-07 10:00:00"}],
    )
    assert response.status_code == 200 and response.json() == {"code": 0, "msg": "成功"}
    assert SmsOptOut.objects.filter(phone=PHONE).exists()
    assert [m.state for m in sms()] == ["cancelled"]
    help_request_transfer(request=request, actor=dispatcher, organisation=branch_a)
    assert len(sms()) == 1
    assert notices_send().sent == 0


def test_other_replies_change_nothing(client, settings):
    make_request(phone=PHONE, sms_opt_in=True)
    uplink(client, settings, [{"phone_number": PHONE, "content": "谢谢"}])
    assert not SmsOptOut.objects.exists() and sms()[0].state == "pending"


def test_sms_callback_refuses_a_wrong_token_and_bad_input(client, settings):
    assert uplink(client, settings, [], key="wrong").status_code == 404
    settings.SMS_CALLBACK_TOKEN = ""
    assert (
        client.post("/notices/sms/replies/x", "[]", content_type="application/json").status_code
        == 404
    )
    settings.SMS_CALLBACK_TOKEN = "callback-secret"
    bad = client.post(
        "/notices/sms/replies/callback-secret", "\x00{", content_type="application/json"
    )
    assert bad.status_code == 400
    assert client.get("/notices/sms/replies/callback-secret").status_code == 405


def test_privacy_notice_states_the_text_messages(client):
    html = client.get(reverse("helpdesk:privacy")).content.decode()
    assert "短信" in html and "TD" in html


def test_escalation_texts_the_driver_only_when_a_new_helper_has_it(dispatcher, branch_a, committee):
    from helpdesk.services.escalation import escalate_overdue

    waiting = make_request(phone=PHONE, sms_opt_in=True)  # nobody transferred it in time
    handled = make_request(phone="13912340000", sms_opt_in=True, token="handled")
    help_request_transfer(request=handled, actor=dispatcher, organisation=branch_a)
    help_request_start(request=handled, actor=dispatcher)
    handled.refresh_from_db()
    later = max(waiting.due_at, handled.due_at) + timedelta(minutes=1)
    assert escalate_overdue(now=later) == 2
    kinds = {phone: [m.kind for m in sms() if m.to == phone] for phone in (PHONE, "13912340000")}
    assert kinds == {
        PHONE: ["received", "transferred"],
        "13912340000": ["received", "transferred", "started"],
    }
