"""Partners' API keys are issued in the admin, shown once and stored as a hash."""

import re

import pytest

from open311.models import Partner

pytestmark = pytest.mark.django_db


def test_adding_a_partner_shows_its_key_once(client, superuser):
    client.force_login(superuser)
    response = client.post(
        "/admin/open311/partner/add/",
        {"name": "12328热线", "contact": "", "active": "on"},
        follow=True,
    )
    html = response.content.decode()
    key = re.search(r"([0-9a-f]{8}\.[A-Za-z0-9_-]{43})", html).group(1)
    partner = Partner.objects.get(name="12328热线")
    assert partner.key_prefix == key.split(".")[0] and key not in partner.key_hash
    assert key not in client.get("/admin/open311/partner/").content.decode()
    api = client.get("/open311/v2/requests.json", {"api_key": key})
    assert api.status_code == 200


def test_issuing_a_new_key_stops_the_old_one(client, superuser, partner):
    row, old = partner
    client.force_login(superuser)
    response = client.post(
        "/admin/open311/partner/",
        {"action": "issue_new_key", "_selected_action": [row.pk]},
        follow=True,
    )
    new = re.search(r"([0-9a-f]{8}\.[A-Za-z0-9_-]{43})", response.content.decode()).group(1)
    assert new != old
    assert client.get("/open311/v2/requests.json", {"api_key": old}).status_code == 403
    assert client.get("/open311/v2/requests.json", {"api_key": new}).status_code == 200


def test_staff_without_the_model_permission_cannot_see_partners(client, officer_a):
    client.force_login(officer_a)
    assert client.get("/admin/open311/partner/").status_code in (403, 404)
