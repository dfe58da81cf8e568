"""A staff member's notice preferences, and the SMS provider's callback for replies ("TD")."""

import hmac
import json
import logging
import unicodedata

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import staff_view
from notices.forms import NoticePreferenceForm
from notices.models import NoticePreference
from notices.outbox import sms_opt_out
from portal.lib.phones import normalize_mobile

logger = logging.getLogger(__name__)

# Replies that mean "stop": 退订 (unsubscribe) and its usual short forms.
STOP_WORDS = {"TD", "T", "N", "退订", "退", "STOP", "UNSUBSCRIBE", "HUY", "HỦY"}


@staff_view()
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    preference = NoticePreference.objects.filter(user=request.user).first()
    preference = preference or NoticePreference(user=request.user)
    if request.method == "POST":
        form = NoticePreferenceForm(request.POST, instance=preference)
        if form.is_valid():
            form.save()
            messages.success(request, gettext("Your notice preferences were saved."))
            return redirect("notices:preferences")
    else:
        form = NoticePreferenceForm(instance=preference)
    return render(request, "notices/preferences.html", {"form": form})


def _phone(raw: str) -> str:
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    for candidate in (text, f"+{text}"):
        try:
            return normalize_mobile(candidate)
        except ValidationError:
            continue
    return ""


@csrf_exempt
@require_POST
def sms_uplink(request, token: str):
    """Alibaba Cloud's replies push (SmsUp): a JSON list of replies; "TD" opts the phone out.

    The address carries ``SMS_CALLBACK_TOKEN``; without it configured the page does not exist.
    """
    expected = settings.SMS_CALLBACK_TOKEN
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Http404
    try:
        replies = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"code": 1, "msg": "bad JSON"}, status=400)
    if isinstance(replies, dict):
        replies = [replies]
    if not isinstance(replies, list):
        return JsonResponse({"code": 1, "msg": "bad JSON"}, status=400)
    for reply in replies:
        if not isinstance(reply, dict):
            continue
        content = unicodedata.normalize("NFKC", str(reply.get("content") or "")).strip().upper()
        phone = _phone(reply.get("phone_number") or "")
        if phone and content in STOP_WORDS:
            cancelled = sms_opt_out(phone=phone)
            logger.info("a phone opted out of text messages (%s waiting cancelled)", cancelled)
    # The answer Alibaba Cloud expects; anything else makes it push again.
    return JsonResponse({"code": 0, "msg": "成功"}, json_dumps_params={"ensure_ascii": False})
