"""Shared helpers for the help-request tests."""

from django.utils import timezone

from helpdesk.services.requests import help_request_submit
from stations.models import Station

PHONE = "13800001234"


def make_request(*, token=None, phone=PHONE, category="breakdown", urgent=False, **extra):
    """Store a request the way the public form does, with a unique form token."""
    import secrets

    request, _created = help_request_submit(
        form_token=token or secrets.token_hex(16),
        category=category,
        description=extra.pop("description", "Flat tyre on G228"),
        phone=phone,
        name=extra.pop("name", ""),
        location_text=extra.pop("location_text", "G228 km 12"),
        urgent=urgent,
        **extra,
    )
    return request


def make_station(slug="dongxing", published=True):
    return Station.objects.create(
        name=f"Station {slug}",
        slug=slug,
        latitude=21.535,
        longitude=107.975,
        published=published,
    )


def now():
    return timezone.now()
