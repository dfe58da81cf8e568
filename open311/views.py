"""The GeoReport v2 endpoints: services, a service definition, post, get one, list.

Every call is answered in the format its address names (``.json`` or ``.xml``), logged
without parameter values, and never with a server error for bad input: refusals use the
spec's error list (400 bad input, 403 bad key, 404 unknown id, 429 over the key's limit).
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from helpdesk.choices import FINAL_STATES, Category, State
from helpdesk.models import HelpRequest
from helpdesk.services.requests import code_normalize
from portal.lib.ratelimit import take
from stations.models import Station

from . import services
from .forms import PartnerRequestForm
from .models import Partner
from .render import error, respond

# What each category asks for, shown as the service's description.
DESCRIPTIONS = {
    Category.BREAKDOWN: _("A truck has broken down or needs repair on the road."),
    Category.RESCUE: _("A driver needs emergency rescue; call 110/120/122 first in danger."),
    Category.LEGAL: _("A driver needs legal advice (wages, contracts, fines, accidents)."),
    Category.SOCIAL_INSURANCE: _("Questions about social insurance for drivers."),
    Category.REST_RIGHTS: _("Rest and leave rights: driving hours, rest places, leave."),
    Category.OTHER: _("Anything else a driver needs help with."),
}
LIST_DAYS = 90
LIST_LIMIT = 1000
DATE_YEARS = (2000, 2999)


class ApiError(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def endpoint(name: str, methods: tuple[str, ...] = ("GET", "HEAD")) -> Callable:
    """Wrap an endpoint: allowed methods, the spec's errors, and one log row per call."""

    def decorator(view: Callable) -> Callable:
        @csrf_exempt
        @never_cache
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, *args, **kwargs) -> HttpResponse:
            request.open311_partner = None  # type: ignore[attr-defined]
            try:
                if request.method not in methods:
                    raise ApiError(405, gettext("This method is not allowed here."))
                response = view(request, fmt, *args, **kwargs)
            except ApiError as exc:
                response = error(fmt, exc.status, exc.description)
            services.call_log_record(
                partner=request.open311_partner,  # type: ignore[attr-defined]
                endpoint=name,
                method=str(request.method),
                response_format=fmt,
                status=response.status_code,
            )
            return response

        return wrapper

    return decorator


def _params(request: HttpRequest):
    params = request.POST if request.method == "POST" else request.GET
    for key, values in params.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            raise ApiError(400, gettext("A parameter contains a character that is not allowed."))
    return params


def _partner(request: HttpRequest, params) -> Partner:
    """Return the partner whose key came with the call; 403 otherwise; 429 over its limit."""
    key = params.get("api_key") or request.headers.get("X-Api-Key", "")
    partner = services.partner_for_key(key)
    if partner is None:
        raise ApiError(403, gettext("The API key is missing, unknown or switched off."))
    request.open311_partner = partner  # type: ignore[attr-defined]
    if not take("open311-key", str(partner.pk), settings.OPEN311_RATE_PER_KEY):
        raise ApiError(429, gettext("Too many calls with this key just now; try again later."))
    return partner


def _service(code: str) -> dict:
    return {
        "service_code": code,
        "service_name": str(Category(code).label),
        "description": str(DESCRIPTIONS[Category(code)]),
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


@endpoint("services")
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET services: one service per help category."""
    _params(request)
    payload = [_service(code) for code in Category.values]
    return respond(fmt, payload, root="services", item="service")


@endpoint("definition")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """GET services/{code}: the attributes a request may carry (station, urgent)."""
    _params(request)
    if code not in Category.values:
        raise ApiError(404, gettext("There is no such service."))
    stations = Station.objects.published().in_driver_order().values_list("slug", "name")
    attributes = [
        {
            "variable": True,
            "code": "station",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": gettext("The station the driver is at, if any."),
            "order": 1,
            "description": gettext("At a station"),
            "values": [{"key": slug, "name": name} for slug, name in stations],
        },
        {
            "variable": True,
            "code": "urgent",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": gettext("true when the driver needs help now."),
            "order": 2,
            "description": gettext("Urgent: I need help now"),
            "values": [
                {"key": "true", "name": gettext("Urgent")},
                {"key": "false", "name": gettext("Not urgent")},
            ],
        },
    ]
    return respond(fmt, {"service_code": code, "attributes": attributes}, root="service_definition")


def _status(help_request: HelpRequest) -> dict:
    """The spec's open/closed, our state as ``status_notes`` and the extension ``x_state``."""
    return {
        "status": "closed" if help_request.state in FINAL_STATES else "open",
        "status_notes": str(State(help_request.state).label),
        "x_state": help_request.state,
    }


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _request_payload(help_request: HelpRequest) -> dict:
    return {
        "service_request_id": help_request.code,
        **_status(help_request),
        "service_name": str(Category(help_request.category).label),
        "service_code": help_request.category,
        "description": help_request.description,
        "agency_responsible": gettext("Driver Home Fangchenggang"),
        "service_notice": "",
        "requested_datetime": _when(help_request.created_at),
        "updated_datetime": _when(help_request.updated_at),
        "expected_datetime": _when(help_request.due_at),
        "address": help_request.location_text,
        "address_id": help_request.station.slug if help_request.station_id else "",
        "zipcode": "",
        "lat": str(help_request.latitude) if help_request.latitude is not None else "",
        "long": str(help_request.longitude) if help_request.longitude is not None else "",
        "media_url": "",
    }


@endpoint("requests", methods=("GET", "HEAD", "POST"))
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    params = _params(request)
    partner = _partner(request, params)
    if request.method == "POST":
        return _post(request, fmt, partner, params)
    return _list(fmt, partner, params)


def _post(request: HttpRequest, fmt: str, partner: Partner, params) -> HttpResponse:
    """POST requests: file a help request the way the web form does."""
    client_id = str(params.get("client_request_id") or request.headers.get("Idempotency-Key", ""))
    form = PartnerRequestForm.from_open311(params, client_id=client_id)
    if not form.is_valid():
        raise ApiError(400, form.first_error())
    data = form.cleaned_data
    client_id = data["client_request_id"].strip()
    existing = services.partner_request_find(partner=partner, client_id=client_id)
    if existing is None:
        # The web form's limit per callback phone holds across every channel.
        if not take("help-phone", data["phone"], settings.HELP_RATE_PER_PHONE):
            raise ApiError(
                429,
                gettext(
                    "This phone number has sent several requests today. "
                    "Please call the rescue line."
                ),
            )
        existing, created = services.partner_request_submit(
            partner=partner,
            client_id=client_id,
            category=data["category"],
            description=data["description"].strip(),
            phone=data["phone"],
            name=data["name"].strip(),
            station=data["station"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            location_text=data["location_text"].strip(),
            urgent=data["urgent"],
        )
    else:
        created = False
    payload = [
        {
            "service_request_id": existing.code,
            "service_notice": gettext(
                "Received. The dispatch desk passes it on and calls the driver back."
            ),
            "account_id": None,
        }
    ]
    return respond(
        fmt, payload, root="service_requests", item="request", status=201 if created else 200
    )


def _date(params, name: str) -> datetime | None:
    raw = params.get(name)
    if not raw:
        return None
    refusal = ApiError(400, gettext("%(name)s: give a date and time in ISO 8601.") % {"name": name})
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise refusal from None
    # Years far from now would overflow the 90-day default window or the time-zone shift.
    if not DATE_YEARS[0] <= value.year <= DATE_YEARS[1]:
        raise refusal
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _list(fmt: str, partner: Partner, params) -> HttpResponse:
    """GET requests: this key's requests, newest first, filtered as the spec allows."""
    requests = HelpRequest.objects.filter(open311__partner=partner).select_related("station")
    ids = [part for part in str(params.get("service_request_id", "")).split(",") if part.strip()]
    if ids:
        codes = [code_normalize(part) for part in ids]
        requests = requests.filter(code__in=[code for code in codes if code])
    else:
        start, end = _date(params, "start_date"), _date(params, "end_date")
        if start is None:
            start = (end or timezone.now()) - timedelta(days=LIST_DAYS)
        requests = requests.filter(created_at__gte=start)
        if end is not None:
            requests = requests.filter(created_at__lte=end)
    service_code = params.get("service_code")
    if service_code:
        if service_code not in Category.values:
            raise ApiError(400, gettext("service_code: there is no such service."))
        requests = requests.filter(category=service_code)
    status = params.get("status")
    if status:
        if status not in ("open", "closed"):
            raise ApiError(400, gettext("status: use open or closed."))
        final = requests.filter(state__in=FINAL_STATES)
        requests = final if status == "closed" else requests.exclude(state__in=FINAL_STATES)
    payload = [_request_payload(row) for row in requests.order_by("-created_at")[:LIST_LIMIT]]
    return respond(fmt, payload, root="service_requests", item="request")


@endpoint("request")
def request_detail(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """GET requests/{id}: one request, if this key filed it."""
    params = _params(request)
    partner = _partner(request, params)
    normal = code_normalize(code)
    found = (
        HelpRequest.objects.filter(open311__partner=partner, code=normal)
        .select_related("station")
        .first()
        if normal
        else None
    )
    if found is None:
        raise ApiError(404, gettext("There is no request with this id for this key."))
    return respond(fmt, [_request_payload(found)], root="service_requests", item="request")
