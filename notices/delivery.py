"""Delivering one notice: e-mail, the group robots' payloads (WeCom, DingTalk, Feishu), SMS.

Each function raises ``DeliveryError`` when the message did not get through, so the worker
can try again later; nothing here touches the database.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.core.mail import send_mail

from notices.models import GroupWebhook, Notice
from notices.sms import SmsRefused, sms_backend


class DeliveryError(Exception):
    """The message did not get through; the worker tries again later."""


def post_json(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    """POST ``payload`` as JSON and return the JSON answer; raise DeliveryError otherwise."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 (an https address set by an administrator)
        url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.NOTICE_HTTP_TIMEOUT
        ) as response:
            body = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"unreachable: {reason}") from None
    try:
        answer = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DeliveryError("the answer is not JSON") from None
    return answer if isinstance(answer, dict) else {}


def text_message(notice: Notice) -> str:
    """The plain-text form: subject, the fact lines, the staff page link."""
    return "\n".join(part for part in (notice.subject, notice.body, notice.link) if part)


def markdown_message(notice: Notice) -> str:
    """The Markdown form: the subject as a heading linking to the staff page, then the facts."""
    title = f"[{notice.subject}]({notice.link})" if notice.link else notice.subject
    lines = [f"- {line}" for line in notice.body.splitlines() if line.strip()]
    return "\n".join([f"### {title}", "", *lines])


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64 HMAC-SHA256 of "timestamp\\nsecret", URL-encoded."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's signature: base64 HMAC-SHA256 keyed with "timestamp\\nsecret" over nothing."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def group_request(notice: Notice, group: GroupWebhook, now: float) -> tuple[str, dict[str, Any]]:
    """Return the address and JSON payload for ``group``'s provider and format."""
    markdown = group.format == GroupWebhook.Format.MARKDOWN
    if group.provider == GroupWebhook.Provider.WECOM:
        if markdown:
            return group.url, {
                "msgtype": "markdown",
                "markdown": {"content": markdown_message(notice)},
            }
        return group.url, {"msgtype": "text", "text": {"content": text_message(notice)}}
    if group.provider == GroupWebhook.Provider.DINGTALK:
        url = group.url
        if group.secret:
            timestamp_ms = int(now * 1000)
            joiner = "&" if "?" in url else "?"
            sign = dingtalk_sign(group.secret, timestamp_ms)
            url = f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"
        if markdown:
            payload = {
                "msgtype": "markdown",
                "markdown": {"title": notice.subject, "text": markdown_message(notice)},
            }
        else:
            payload = {"msgtype": "text", "text": {"content": text_message(notice)}}
        return url, payload
    # Feishu: plain text (its rich "post" format is not needed for a few lines).
    payload = {"msg_type": "text", "content": {"text": text_message(notice)}}
    if group.secret:
        timestamp_s = int(now)
        payload = {
            "timestamp": str(timestamp_s),
            "sign": feishu_sign(group.secret, timestamp_s),
        } | payload
    return group.url, payload


def group_deliver(notice: Notice) -> None:
    group = notice.group
    if group is None:
        raise DeliveryError("the group was deleted")
    url, payload = group_request(notice, group, time.time())
    answer = post_json(url, payload)
    # WeCom and DingTalk answer {"errcode": 0}; Feishu {"code": 0} (older robots StatusCode).
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, "0"):
        message = answer.get("errmsg") or answer.get("msg") or ""
        raise DeliveryError(f"refused: {code} {message}"[:300])


def email_deliver(notice: Notice) -> None:
    body = "\n\n".join(part for part in (notice.body, notice.link) if part)
    try:
        send_mail(notice.subject, body, settings.DEFAULT_FROM_EMAIL, [notice.to])
    except OSError as exc:
        raise DeliveryError(f"mail: {exc}") from None


def sms_deliver(notice: Notice) -> None:
    try:
        sms_backend().send(
            phone=notice.to,
            template=notice.kind,
            language=notice.language,
            params=notice.params,
            text=notice.body,
            reference=str(notice.pk),
        )
    except (SmsRefused, OSError, ValueError) as exc:
        raise DeliveryError(f"sms: {exc}") from None


def notice_deliver(notice: Notice) -> None:
    """Send ``notice`` through its channel; raise DeliveryError when it did not get through."""
    if notice.channel == Notice.Channel.GROUP:
        group_deliver(notice)
    elif notice.channel == Notice.Channel.EMAIL:
        email_deliver(notice)
    else:
        sms_deliver(notice)
