"""Text-message backends, chosen by ``settings.SMS_BACKEND`` (a dotted class path).

* ``notices.sms.ConsoleSmsBackend`` (development): writes the text to the log.
* ``notices.sms.AliyunSmsBackend``: Alibaba Cloud SMS (阿里云短信服务) ``SendSms``, the
  template API most Chinese providers copy: the message is an approved template
  (``TemplateCode``) filled with variables (``TemplateParam``), under an approved signature
  (``SignName``), signed with the account's AccessKey (HMAC-SHA1, signature version 1.0).
  Configured by ``SMS_ENDPOINT``, ``SMS_ACCESS_KEY_ID``, ``SMS_ACCESS_KEY_SECRET``,
  ``SMS_SIGN_NAME`` and ``SMS_TEMPLATES`` (see docs/notices.md).
"""

import base64
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsRefused(Exception):
    """The provider did not accept the message (the worker tries again later)."""


class SmsBackend(Protocol):
    def send(
        self,
        *,
        phone: str,
        template: str,
        language: str,
        params: dict[str, Any],
        text: str,
        reference: str,
    ) -> None: ...


class ConsoleSmsBackend:
    """Development: log the message instead of sending it."""

    def send(self, *, phone, template, language, params, text, reference) -> None:
        logger.warning("SMS to %s [%s/%s]: %s", phone, template, language, text)


def template_codes(raw: str) -> dict[str, str]:
    """Parse ``received=SMS_1,received.vi=SMS_2`` into a dict; blank entries are skipped."""
    codes = {}
    for item in raw.split(","):
        key, _sep, value = item.partition("=")
        if key.strip() and value.strip():
            codes[key.strip()] = value.strip()
    return codes


def _percent(value: str) -> str:
    # Alibaba Cloud's encoding: RFC 3986, space as %20, ~ kept.
    return quote(value, safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """Return the RPC signature (version 1.0, HMAC-SHA1) of ``params``."""
    canonical = "&".join(f"{_percent(k)}={_percent(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


class AliyunSmsBackend:
    """Alibaba Cloud ``SendSms`` (dysmsapi 2017-05-25) over HTTPS, a form POST."""

    def send(self, *, phone, template, language, params, text, reference) -> None:
        codes = template_codes(settings.SMS_TEMPLATES)
        code = codes.get(f"{template}.{language}") or codes.get(template)
        if not code:
            raise SmsRefused(f"no SMS template configured for {template}")
        query = {
            "AccessKeyId": settings.SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "RegionId": settings.SMS_REGION,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": secrets.token_hex(16),
            "SignatureVersion": "1.0",
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
            # Mainland numbers as 11 digits; others with their country code, no "+".
            "PhoneNumbers": phone.lstrip("+"),
            "SignName": settings.SMS_SIGN_NAME,
            "TemplateCode": code,
            "TemplateParam": json.dumps(params, ensure_ascii=False),
            "OutId": reference,
        }
        query["Signature"] = aliyun_signature(query, settings.SMS_ACCESS_KEY_SECRET)
        request = urllib.request.Request(  # noqa: S310 (the configured provider address)
            settings.SMS_ENDPOINT,
            data=urlencode(query).encode("ascii"),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.NOTICE_HTTP_TIMEOUT
            ) as response:
                answer = json.loads(response.read(65536).decode("utf-8") or "{}")
        except urllib.error.HTTPError as exc:
            raise SmsRefused(f"HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise SmsRefused(f"unreachable: {getattr(exc, 'reason', exc)}") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise SmsRefused("the answer is not JSON") from None
        if not isinstance(answer, dict) or answer.get("Code") != "OK":
            detail = answer.get("Code") if isinstance(answer, dict) else answer
            raise SmsRefused(f"refused: {detail}")


def sms_backend() -> SmsBackend:
    """Return an instance of the configured backend."""
    return import_string(settings.SMS_BACKEND)()
