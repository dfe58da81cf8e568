"""The public help form: access, validation, idempotent submit, anti-abuse, tracking."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from helpdesk.forms.requests import HelpRequestForm
from helpdesk.models import HelpEvent, HelpRequest

from .helpers import make_request, make_station

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_forms")]


def form_data(**overrides):
    data = {
        "token": HelpRequestForm.new_token(),
        "category": "breakdown",
        "description": "Engine failed near the port",
        "phone": "138 0000 1234",
        "name": "",
        "station": "",
        "latitude": "",
        "longitude": "",
        "location_text": "G228 near Qisha",
        "urgent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def test_help_form_shows_rescue_line_above_the_form(client):
    html = client.get(reverse("helpdesk:form")).content.decode()
    assert html.index("tel:077012345") < html.index('<form method="post"')
    assert "csrfmiddlewaretoken" in html


def test_help_form_preselects_station_from_query(client):
    station = make_station("fcg-port")
    html = client.get(reverse("helpdesk:form") + "?station=fcg-port").content.decode()
    assert re.search(r'<input type="radio" name="station" value="fcg-port"[^>]* checked', html), (
        station
    )


@pytest.mark.parametrize("value", ["\x00", "nope", "a" * 500, "../x"])
def test_help_form_ignores_bad_station_parameter(client, value):
    response = client.get(reverse("helpdesk:form"), {"station": value})
    assert response.status_code == 200


def test_help_submit_stores_canonical_phone_and_shows_code(client):
    response = client.post(reverse("helpdesk:form"), form_data(phone="+86 138-0000-1234"))
    assert response.status_code == 302
    stored = HelpRequest.objects.get()
    assert stored.phone == "13800001234"
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", stored.code)
    assert stored.events.get().kind == HelpEvent.Kind.RECEIVED
    page = client.get(response["Location"]).content.decode()
    assert stored.display_code in page
    assert 'class="tracking-code"' in page


def test_help_submit_twice_gives_one_request_and_same_code(client):
    data = form_data()
    client.post(reverse("helpdesk:form"), data)
    client.post(reverse("helpdesk:form"), data)
    assert HelpRequest.objects.count() == 1


def test_help_submit_rounds_location_to_three_decimals(client):
    client.post(
        reverse("helpdesk:form"),
        form_data(latitude="21.612345", longitude="108.354999", location_text=""),
    )
    stored = HelpRequest.objects.get()
    assert str(stored.latitude) == "21.612"
    assert str(stored.longitude) == "108.355"


def test_help_submit_needs_a_place(client):
    response = client.post(reverse("helpdesk:form"), form_data(location_text=""))
    assert response.status_code == 200
    assert HelpRequest.objects.count() == 0
    assert "请告诉我们您在哪里" in response.content.decode()


def test_help_submit_at_station(client):
    station = make_station()
    client.post(reverse("helpdesk:form"), form_data(station=station.slug, location_text=""))
    assert HelpRequest.objects.get().station == station


def test_help_honeypot_refuses(client):
    response = client.post(reverse("helpdesk:form"), form_data(website="http://spam"))
    assert response.status_code == 200
    assert HelpRequest.objects.count() == 0


def test_help_too_fast_refused_then_accepted(client, settings):
    settings.HELP_MIN_FILL_SECONDS = 3600
    data = form_data()
    response = client.post(reverse("helpdesk:form"), data)
    assert response.status_code == 200
    assert HelpRequest.objects.count() == 0
    settings.HELP_MIN_FILL_SECONDS = 0
    client.post(reverse("helpdesk:form"), data)
    assert HelpRequest.objects.count() == 1


def test_help_forged_token_refused(client):
    response = client.post(reverse("helpdesk:form"), form_data(token="abc:def"))
    assert response.status_code == 200
    assert HelpRequest.objects.count() == 0


def test_help_csrf_is_enforced(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("helpdesk:form"), form_data())
    assert response.status_code == 403
    assert HelpRequest.objects.count() == 0


def test_help_rate_limit_per_ip(client):
    for index in range(5):
        response = client.post(reverse("helpdesk:form"), form_data(phone=f"1380000{index:04d}"))
        assert response.status_code == 302
    response = client.post(reverse("helpdesk:form"), form_data(phone="13800009999"))
    assert response.status_code == 429
    assert HelpRequest.objects.count() == 5


def test_help_rate_limit_per_phone(client, settings):
    settings.HELP_RATE_PER_IP = "0/1"
    for _ in range(3):
        assert client.post(reverse("helpdesk:form"), form_data()).status_code == 302
    assert client.post(reverse("helpdesk:form"), form_data()).status_code == 429
    # The same phone written differently is the same phone.
    assert (
        client.post(reverse("helpdesk:form"), form_data(phone="+8613800001234")).status_code == 429
    )
    assert HelpRequest.objects.count() == 3


def test_help_rate_limit_holds_in_the_shared_cache(client, settings):
    # The limit lives in the database cache, not in this process's memory.
    assert settings.CACHES["default"]["BACKEND"].endswith(("DatabaseCache", "RedisCache"))
    for index in range(5):
        client.post(reverse("helpdesk:form"), form_data(phone=f"1380000{index:04d}"))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM portal_cache WHERE cache_key LIKE %s", ["%help-ip%"])
        assert cursor.fetchone()[0] == 5


# --- Tracking -----------------------------------------------------------------------------


def test_track_shows_plain_timeline(client, dispatcher, committee):
    from helpdesk.services import requests as services

    req = make_request()
    services.help_request_note(request=req, actor=dispatcher, text="SECRET-NOTE")
    services.help_request_transfer(request=req, actor=dispatcher, organisation=committee)
    response = client.post(reverse("helpdesk:track"), {"code": req.code.lower(), "last4": "1234"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<li><strong>") == 2
    assert "SECRET-NOTE" not in html
    assert "dispatcher" not in html
    assert committee.name not in html
    assert "13800001234" not in html


def test_track_accepts_dashes_and_confusable_letters(client):
    req = make_request()
    typed = (req.code[:4] + "-" + req.code[4:]).replace("1", "l").replace("0", "o")
    response = client.post(reverse("helpdesk:track"), {"code": typed, "last4": "1234"})
    assert "timeline" in response.content.decode()


@pytest.mark.parametrize(("code", "last4"), [("WRONG123", "1234"), (None, "9999")])
def test_track_mismatch_gives_one_neutral_message(client, code, last4):
    req = make_request()
    response = client.post(reverse("helpdesk:track"), {"code": code or req.code, "last4": last4})
    html = response.content.decode()
    assert 'class="timeline"' not in html
    assert 'role="alert"' in html


def test_track_is_rate_limited(client):
    for _ in range(10):
        client.post(reverse("helpdesk:track"), {"code": "AAAAAAAA", "last4": "0000"})
    response = client.post(reverse("helpdesk:track"), {"code": "AAAAAAAA", "last4": "0000"})
    assert response.status_code == 429


def test_privacy_page_linked_from_the_form(client):
    html = client.get(reverse("helpdesk:form")).content.decode()
    assert reverse("helpdesk:privacy") in html
    assert client.get(reverse("helpdesk:privacy")).status_code == 200


def test_track_wrong_tries_are_slowed_per_code_across_addresses(client, settings):
    settings.HELP_TRACK_RATE_PER_IP = "0/1"
    req = make_request()
    for index in range(settings.HELP_TRACK_FREE_TRIES):
        client.post(
            reverse("helpdesk:track"),
            {"code": req.code, "last4": f"{index:04d}"},
            REMOTE_ADDR=f"10.0.0.{index}",
        )
    # The next try goes ahead (and fails), then the code waits a short, growing delay.
    client.post(reverse("helpdesk:track"), {"code": req.code, "last4": "9999"})
    response = client.post(
        reverse("helpdesk:track"), {"code": req.code, "last4": "1234"}, REMOTE_ADDR="10.0.1.1"
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert 'class="timeline"' not in html
    # The page says how long (one minute here, never a day) and gives the line to call.
    assert "1 分钟" in html
    assert settings.EMERGENCY_PHONE in html
    # Other codes are unaffected.
    other = make_request()
    response = client.post(reverse("helpdesk:track"), {"code": other.code, "last4": "1234"})
    assert 'class="timeline"' in response.content.decode()


def test_track_never_locks_the_rightful_driver_out_for_long(client, settings):
    settings.HELP_TRACK_RATE_PER_IP = "0/1"
    req = make_request()
    # A hundred wrong tries from anywhere (past the gate, as time would let them).
    from portal.lib import ratelimit

    for _ in range(100):
        ratelimit.backoff_fail("help-track-code", req.code, forget=3600)
    ratelimit.backoff_wait("help-track-code", req.code, free=5, first=30, longest=900)
    response = client.post(reverse("helpdesk:track"), {"code": req.code, "last4": "1234"})
    assert response.status_code == 429
    assert "15 分钟" in response.content.decode()
    # When the gate opens (simulated), the right digits show the progress.
    cache.delete_many([key for key in ratelimit._backoff_keys("help-track-code", req.code)][1:])
    response = client.post(reverse("helpdesk:track"), {"code": req.code, "last4": "1234"})
    assert 'class="timeline"' in response.content.decode()
