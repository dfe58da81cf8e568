"""1,000 generated bad inputs to every Open311 endpoint: never a server error."""

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

PARAMS = [
    "api_key",
    "service_code",
    "description",
    "phone",
    "first_name",
    "last_name",
    "lat",
    "long",
    "address_string",
    "attribute[station]",
    "attribute[urgent]",
    "client_request_id",
    "service_request_id",
    "start_date",
    "end_date",
    "status",
]
NASTY = st.sampled_from(
    ["", "\x00", "=1+1", "9" * 400, "NaN", "inf", "-1e999", "2026-13-40", "../../etc", "１３８"]
)
DATES = st.one_of(
    st.datetimes().map(lambda value: value.isoformat()),
    st.dates().map(lambda value: value.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda value: value.isoformat()),
)
VALUES = st.one_of(st.text(max_size=60), NASTY, st.integers().map(str), DATES)
PATHS = st.one_of(
    st.sampled_from(["services", "requests", "services/breakdown", "requests/ABCD1234"]),
    st.text(alphabet="abcXYZ019-_%.", min_size=1, max_size=20).map(lambda s: f"requests/{s}"),
    st.text(alphabet="abcXYZ019-_%.", min_size=1, max_size=20).map(lambda s: f"services/{s}"),
)


@pytest.fixture
def unlimited(settings):
    """No rate limit, so every example reaches the validation it is aimed at."""
    settings.OPEN311_RATE_PER_KEY = "0/60"
    settings.HELP_RATE_PER_PHONE = "0/60"


@hypothesis_settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=PATHS,
    fmt=st.sampled_from(["json", "xml"]),
    method=st.sampled_from(["get", "post", "put", "delete"]),
    params=st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=8),
    use_key=st.booleans(),
)
def test_generated_bad_inputs_never_cause_a_server_error(
    client, unlimited, partner, station, path, fmt, method, params, use_key
):
    _partner, key = partner
    if use_key:
        params = {**params, "api_key": key}
    url = f"/open311/v2/{path}.{fmt}"
    response = getattr(client, method)(url, params)
    assert response.status_code < 500, (url, params, response.content[:300])
    if response.status_code >= 400 and response.status_code != 404:
        assert response["Content-Type"].split(";")[0] in ("application/json", "text/xml")
