"""Open311 writes: issuing keys, filing a partner's help request, logging calls.

Requests are filed through ``helpdesk.services.requests.help_request_submit``, the same
function the web form uses, so deadlines, the event log and the dispatcher's queue treat
them exactly like a driver's own request.
"""

import hashlib
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.models import HelpRequest
from helpdesk.services.requests import help_request_submit
from stations.models import Station

from .keys import key_generate, key_matches, key_prefix
from .models import CallLog, Partner, PartnerRequest


def partner_key_issue(*, partner: Partner) -> str:
    """Give ``partner`` a new key (the old one stops working) and return it, once."""
    key, prefix, digest = key_generate()
    partner.key_prefix, partner.key_hash = prefix, digest
    partner.key_issued_at = timezone.now()
    partner.save()
    return key


def partner_for_key(key: str) -> Partner | None:
    """Return the active partner holding ``key``, or None (malformed keys cost no query)."""
    prefix = key_prefix(key)
    if not prefix:
        return None
    partner = Partner.objects.filter(key_prefix=prefix, active=True).first()
    if partner is None or not key_matches(key, partner.key_hash):
        return None
    return partner


def _form_token(partner: Partner, client_id: str) -> tuple[str, str]:
    """Return (form token, client id hash); without a client id every post is new."""
    if not client_id:
        return f"open311:{partner.pk}:{uuid.uuid4().hex}", ""
    digest = hashlib.sha256(client_id.encode()).hexdigest()
    return f"open311:{partner.pk}:{digest[:40]}", digest


def partner_request_find(*, partner: Partner, client_id: str) -> HelpRequest | None:
    """Return the request ``partner`` already filed under ``client_id``, if any."""
    if not client_id:
        return None
    token, _digest = _form_token(partner, client_id)
    return HelpRequest.objects.filter(form_token=token).first()


def partner_request_submit(
    *,
    partner: Partner,
    client_id: str,
    category: str,
    description: str,
    phone: str,
    name: str = "",
    station: Station | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    location_text: str = "",
    urgent: bool = False,
) -> tuple[HelpRequest, bool]:
    """File a help request for ``partner``; the same client id again returns the first one."""
    token, digest = _form_token(partner, client_id)
    request, created = help_request_submit(
        form_token=token,
        category=category,
        description=description,
        phone=phone,
        name=name,
        station=station,
        latitude=latitude,
        longitude=longitude,
        location_text=location_text,
        urgent=urgent,
    )
    try:
        with transaction.atomic():
            PartnerRequest.objects.get_or_create(
                help_request=request, defaults={"partner": partner, "client_id_hash": digest}
            )
    except IntegrityError:
        # Two identical posts at once: the other one linked it.
        pass
    return request, created


def call_log_record(
    *, partner: Partner | None, endpoint: str, method: str, response_format: str, status: int
) -> CallLog:
    """Log one call: the endpoint and the answer, never a parameter value."""
    return CallLog.objects.create(
        partner=partner,
        endpoint=endpoint[:32],
        method=method[:8],
        response_format=response_format[:4],
        status=status,
    )
