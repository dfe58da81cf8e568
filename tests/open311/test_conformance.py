"""Open311 GeoReport v2: the spec's calls in JSON and XML, the error format, key scoping."""

import json
from xml.etree import ElementTree as ET

import pytest

from helpdesk.models import HelpEvent, HelpRequest
from helpdesk.services.requests import help_request_withdraw
from open311.models import CallLog, PartnerRequest

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"

# Element names of the GeoReport v2 responses (wiki.open311.org/GeoReport_v2).
SERVICE = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
ATTRIBUTE = {
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
}
POSTED = {"service_request_id", "service_notice", "account_id"}
REQUEST = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}
# Our documented extension: the state behind open/closed.
EXTENSIONS = {"x_state"}


def _children(element) -> set[str]:
    return {child.tag for child in element}


def _xml(response, root: str):
    assert response["Content-Type"].startswith("text/xml")
    # Our own response, parsed to check its shape.
    tree = ET.fromstring(response.content)  # noqa: S314
    assert tree.tag == root
    return tree


def _json(response):
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _assert_error(response, fmt: str, status: int):
    assert response.status_code == status
    if fmt == "json":
        body = _json(response)
        assert isinstance(body, list) and body
        assert set(body[0]) == {"code", "description"} and body[0]["code"] == status
        assert body[0]["description"]
    else:
        tree = _xml(response, "errors")
        (error,) = tree.findall("error")
        assert _children(error) == {"code", "description"}
        assert error.findtext("code") == str(status)
        assert error.findtext("description")


def test_conformance_walk_in_json(client, partner, valid_post):
    _partner, key = partner
    services = _json(client.get(f"{BASE}/services.json"))
    assert {service["service_code"] for service in services} >= {"breakdown", "legal"}
    assert all(set(service) == SERVICE for service in services)
    assert all(service["metadata"] is True for service in services)

    definition = _json(client.get(f"{BASE}/services/breakdown.json"))
    assert definition["service_code"] == "breakdown"
    assert all(set(attr) == ATTRIBUTE for attr in definition["attributes"])
    station_attr = next(a for a in definition["attributes"] if a["code"] == "station")
    assert valid_post["attribute[station]"] in {v["key"] for v in station_attr["values"]}

    response = client.post(f"{BASE}/requests.json", {**valid_post, "api_key": key})
    assert response.status_code == 201
    (posted,) = _json(response)
    assert set(posted) == POSTED
    code = posted["service_request_id"]
    stored = HelpRequest.objects.get(code=code)
    assert stored.urgent and stored.station.slug == valid_post["attribute[station]"]
    assert stored.name == "王师傅" and stored.phone == "13800138000"
    # Filed through the helpdesk service: deadline set and the event log started.
    assert stored.due_at is not None
    assert HelpEvent.objects.filter(request=stored, kind="received").count() == 1

    (one,) = _json(client.get(f"{BASE}/requests/{code}.json", {"api_key": key}))
    assert set(one) == REQUEST | EXTENSIONS
    assert one["service_request_id"] == code and one["status"] == "open"
    assert one["x_state"] == "received" and one["status_notes"]

    listed = _json(client.get(f"{BASE}/requests.json", {"api_key": key}))
    assert [row["service_request_id"] for row in listed] == [code]
    assert _json(client.get(f"{BASE}/requests.json", {"api_key": key, "status": "closed"})) == []


def test_conformance_walk_in_xml(client, partner, valid_post):
    _partner, key = partner
    tree = _xml(client.get(f"{BASE}/services.xml"), "services")
    services = tree.findall("service")
    assert services and all(_children(service) == SERVICE for service in services)

    tree = _xml(client.get(f"{BASE}/services/legal.xml"), "service_definition")
    assert _children(tree) == {"service_code", "attributes"}
    attributes = tree.find("attributes").findall("attribute")
    assert len(attributes) == 2
    for attribute in attributes:
        assert _children(attribute) == ATTRIBUTE
        for value in attribute.find("values").findall("value"):
            assert _children(value) == {"key", "name"}

    response = client.post(f"{BASE}/requests.xml", {**valid_post, "api_key": key})
    assert response.status_code == 201
    tree = _xml(response, "service_requests")
    (posted,) = tree.findall("request")
    assert _children(posted) == POSTED
    code = posted.findtext("service_request_id")

    tree = _xml(client.get(f"{BASE}/requests/{code}.xml", {"api_key": key}), "service_requests")
    (one,) = tree.findall("request")
    assert _children(one) == REQUEST | EXTENSIONS
    assert one.findtext("status") == "open"

    tree = _xml(client.get(f"{BASE}/requests.xml", {"api_key": key}), "service_requests")
    assert [r.findtext("service_request_id") for r in tree.findall("request")] == [code]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_keys_get_403_in_the_spec_error_format(client, partner, valid_post, fmt):
    _partner, key = partner
    for bad in ["", "nonsense", key[:-1] + ("A" if key[-1] != "A" else "B"), "\u00e9" * 52]:
        _assert_error(
            client.post(f"{BASE}/requests.{fmt}", {**valid_post, "api_key": bad}), fmt, 403
        )
        _assert_error(client.get(f"{BASE}/requests.{fmt}", {"api_key": bad}), fmt, 403)
        _assert_error(client.get(f"{BASE}/requests/ABCD1234.{fmt}", {"api_key": bad}), fmt, 403)
    assert HelpRequest.objects.count() == 0


def test_a_switched_off_partner_gets_403(client, partner, valid_post):
    row, key = partner
    row.active = False
    row.save()
    _assert_error(client.post(f"{BASE}/requests.json", {**valid_post, "api_key": key}), "json", 403)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "change",
    [
        {"service_code": "parking"},
        {"service_code": ""},
        {"description": ""},
        {"phone": "12345"},
        {"phone": ""},
        {"lat": "91", "long": "108", "attribute[station]": ""},
        {"attribute[station]": "no-such-station"},
        {"attribute[station]": "", "address_string": ""},
        {"first_name": "王" * 60},
    ],
)
def test_bad_input_gets_400_in_the_spec_error_format(client, partner, valid_post, fmt, change):
    _partner, key = partner
    response = client.post(f"{BASE}/requests.{fmt}", {**valid_post, **change, "api_key": key})
    _assert_error(response, fmt, 400)
    assert HelpRequest.objects.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_list_filters_and_unknown_ids(client, partner, fmt):
    _partner, key = partner
    for params in [
        {"start_date": "yesterday"},
        {"end_date": "0001-01-01"},
        {"start_date": "9999-12-31T23:59:59+14:00"},
        {"status": "half"},
        {"service_code": "x"},
    ]:
        _assert_error(client.get(f"{BASE}/requests.{fmt}", {"api_key": key, **params}), fmt, 400)
    _assert_error(client.get(f"{BASE}/requests/ABCD1234.{fmt}", {"api_key": key}), fmt, 404)
    _assert_error(client.get(f"{BASE}/services/parking.{fmt}"), fmt, 404)
    _assert_error(client.delete(f"{BASE}/requests.{fmt}", {"api_key": key}), fmt, 405)
    _assert_error(client.get(f"{BASE}/requests.{fmt}", {"api_key": key, "x": "a\x00b"}), fmt, 400)


def test_a_key_sees_only_its_own_requests(client, make_partner, valid_post):
    _first, first_key = make_partner("12328热线")
    _second, second_key = make_partner("企业司机App")
    mine = _json(client.post(f"{BASE}/requests.json", {**valid_post, "api_key": first_key}))[0]
    theirs = _json(
        client.post(
            f"{BASE}/requests.json",
            {**valid_post, "phone": "13900139000", "api_key": second_key},
        )
    )[0]
    listed = _json(client.get(f"{BASE}/requests.json", {"api_key": first_key}))
    assert [row["service_request_id"] for row in listed] == [mine["service_request_id"]]
    other = theirs["service_request_id"]
    response = client.get(f"{BASE}/requests/{other}.json", {"api_key": first_key})
    _assert_error(response, "json", 404)
    by_id = _json(
        client.get(
            f"{BASE}/requests.json",
            {"api_key": first_key, "service_request_id": f"{other},{mine['service_request_id']}"},
        )
    )
    assert [row["service_request_id"] for row in by_id] == [mine["service_request_id"]]


def test_a_double_post_with_the_same_client_id_yields_one_request(client, partner, valid_post):
    _partner, key = partner
    body = {**valid_post, "api_key": key, "client_request_id": "wx-000123"}
    first = client.post(f"{BASE}/requests.json", body)
    second = client.post(f"{BASE}/requests.json", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert _json(first)[0]["service_request_id"] == _json(second)[0]["service_request_id"]
    header = client.post(
        f"{BASE}/requests.json",
        {**valid_post, "api_key": key},
        headers={"Idempotency-Key": "wx-000123"},
    )
    assert _json(header)[0]["service_request_id"] == _json(first)[0]["service_request_id"]
    assert HelpRequest.objects.count() == 1 and PartnerRequest.objects.count() == 1
    # Another client id is another request.
    client.post(f"{BASE}/requests.json", {**body, "client_request_id": "wx-000124"})
    assert HelpRequest.objects.count() == 2


def test_the_same_client_id_from_another_partner_is_another_request(
    client, make_partner, valid_post
):
    _a, key_a = make_partner("A")
    _b, key_b = make_partner("B")
    body = {**valid_post, "client_request_id": "same"}
    client.post(f"{BASE}/requests.json", {**body, "api_key": key_a})
    client.post(f"{BASE}/requests.json", {**body, "phone": "13900139000", "api_key": key_b})
    assert HelpRequest.objects.count() == 2


def test_statuses_map_from_our_states(client, partner, valid_post, superuser):
    _partner, key = partner
    code = _json(client.post(f"{BASE}/requests.json", {**valid_post, "api_key": key}))[0][
        "service_request_id"
    ]
    help_request_withdraw(
        request=HelpRequest.objects.get(code=code), actor=superuser, reason="已解决"
    )
    (one,) = _json(client.get(f"{BASE}/requests/{code}.json", {"api_key": key}))
    assert (one["status"], one["x_state"]) == ("closed", "withdrawn")


def test_rate_limit_per_key(client, partner, make_partner, settings):
    settings.OPEN311_RATE_PER_KEY = "2/60"
    _partner, key = partner
    assert client.get(f"{BASE}/requests.json", {"api_key": key}).status_code == 200
    assert client.get(f"{BASE}/requests.json", {"api_key": key}).status_code == 200
    _assert_error(client.get(f"{BASE}/requests.json", {"api_key": key}), "json", 429)
    _other, other_key = make_partner("other")
    assert client.get(f"{BASE}/requests.json", {"api_key": other_key}).status_code == 200


def test_the_web_forms_phone_limit_holds_for_partners(client, partner, valid_post, settings):
    settings.HELP_RATE_PER_PHONE = "1/86400"
    _partner, key = partner
    assert client.post(f"{BASE}/requests.json", {**valid_post, "api_key": key}).status_code == 201
    response = client.post(f"{BASE}/requests.json", {**valid_post, "api_key": key})
    _assert_error(response, "json", 429)


def test_every_call_is_logged_without_personal_values(client, partner, valid_post):
    row, key = partner
    client.get(f"{BASE}/services.json")
    client.post(f"{BASE}/requests.json", {**valid_post, "api_key": key})
    client.get(f"{BASE}/requests.json", {"api_key": "bad"})
    logs = list(CallLog.objects.order_by("pk").values_list("partner", "endpoint", "status"))
    assert logs == [(None, "services", 200), (row.pk, "requests", 201), (None, "requests", 403)]
    dumped = json.dumps(list(CallLog.objects.values()), default=str)
    for value in (valid_post["phone"], valid_post["description"], key, "王"):
        assert value not in dumped


def test_only_a_hash_of_the_key_is_stored(partner):
    row, key = partner
    row.refresh_from_db()
    assert key not in json.dumps({f.name: str(getattr(row, f.name)) for f in row._meta.fields})
    assert key.startswith(row.key_prefix + ".")
