"""Property tests: at least 1,000 generated posts per public form, never a 500, never a
non-canonical phone stored."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from helpdesk.forms.requests import HelpRequestForm
from helpdesk.forms.wishes import WishForm
from helpdesk.models import HelpRequest, Wish
from portal.lib.phones import normalize_mobile

pytestmark = pytest.mark.django_db

EXAMPLES = 1000
NASTY = [
    "\x00",
    "\u202e",
    "\u200f",
    "\ufeff",
    '=HYPERLINK("http://x")',
    "+1+1",
    "-2",
    "@SUM(A1)",
    "\t=1",
    "<script>alert(1)</script>",
    "😀🚚",
    "１３８００１３８０００",
    "13８00138000",
    "' OR 1=1 --",
    "a" * 3000,
    "\r\n",
    "NaN",
    "inf",
    "-0",
    "1e309",
    "٣",
    "",
]
nasty = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))
phones = st.one_of(
    st.sampled_from(
        [
            "13800138000",
            "+84 912 345 678",
            "0086 138-0013-8000",
            "１３８００１３８０００",
            "+84 0912345678",
        ]
    ),
    nasty,
    st.from_regex(r"\A[+0-9 \-]{0,20}\Z", fullmatch=True),
)
numbers = st.one_of(
    nasty,
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["21.61", "108.35", "91", "-181"]),
)
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)


@pytest.fixture
def open_limits(settings):
    settings.HELP_MIN_FILL_SECONDS = 0
    settings.HELP_RATE_PER_IP = "0/1"
    settings.HELP_RATE_PER_PHONE = "0/1"
    settings.HELP_TRACK_RATE_PER_IP = "0/1"
    settings.HELP_TRACK_FREE_TRIES = 1_000_000
    cache.clear()


def _newest_phone_is_canonical(model):
    # The newest row: every earlier example checked its own.
    phone = model.objects.order_by("-id").values_list("phone", flat=True).first()
    if phone:
        assert normalize_mobile(phone) == phone


def test_help_form_never_fails(open_limits):
    posted = []

    @SETTINGS
    @given(
        category=st.one_of(st.sampled_from(["breakdown", "legal", "rescue"]), nasty),
        description=nasty,
        phone=phones,
        name=nasty,
        station=nasty,
        latitude=numbers,
        longitude=numbers,
        location_text=nasty,
        urgent=st.sampled_from(["", "on", "\x00"]),
        website=st.sampled_from(["", "x"]),
        good_token=st.booleans(),
        garbage_token=nasty,
    )
    # One well-formed request, so the stored side is always exercised.
    @example(
        category="breakdown",
        description="Flat tyre",
        phone="１３８ ００１３ ８０００",
        name="",
        station="",
        latitude="21.6",
        longitude="108.3",
        location_text="",
        urgent="on",
        website="",
        good_token=True,
        garbage_token="",
    )
    def post(
        category,
        description,
        phone,
        name,
        station,
        latitude,
        longitude,
        location_text,
        urgent,
        website,
        good_token,
        garbage_token,
    ):
        client = Client(raise_request_exception=False)
        response = client.post(
            reverse("helpdesk:form"),
            {
                "token": HelpRequestForm.new_token() if good_token else garbage_token,
                "category": category,
                "description": description,
                "phone": phone,
                "name": name,
                "station": station,
                "latitude": latitude,
                "longitude": longitude,
                "location_text": location_text,
                "urgent": urgent,
                "website": website,
            },
        )
        posted.append(response.status_code)
        assert response.status_code in (200, 302), response.status_code
        if description == "Flat tyre":
            errors = response.context and response.context["form"].errors
            assert response.status_code == 302, errors
        _newest_phone_is_canonical(HelpRequest)

    post()
    assert len(posted) >= EXAMPLES
    # The generator reached both sides: stored requests and refused ones.
    assert 302 in posted and 200 in posted


def test_track_form_never_fails(open_limits):
    posted = []

    @SETTINGS
    @given(code=nasty, last4=nasty, station=nasty)
    def post(code, last4, station):
        client = Client(raise_request_exception=False)
        response = client.post(reverse("helpdesk:track"), {"code": code, "last4": last4})
        posted.append(response.status_code)
        assert response.status_code == 200
        assert client.get(reverse("helpdesk:form"), {"station": station}).status_code == 200

    post()
    assert len(posted) >= EXAMPLES


def test_wish_form_never_fails(open_limits):
    posted = []

    @SETTINGS
    @given(
        text=nasty, surname=nasty, road=nasty, phone=phones, page=nasty, good_token=st.booleans()
    )
    @example(
        text="A warm coat",
        surname="王",
        road="G228",
        phone="+84 912 345 678",
        page="2",
        good_token=True,
    )
    def post(text, surname, road, phone, page, good_token):
        client = Client(raise_request_exception=False)
        response = client.post(
            reverse("helpdesk:wishes"),
            {
                "token": WishForm.new_token() if good_token else text,
                "text": text,
                "surname": surname,
                "road": road,
                "phone": phone,
                "website": "",
            },
        )
        posted.append(response.status_code)
        assert response.status_code in (200, 302)
        if text == "A warm coat":
            errors = response.context and response.context["form"].errors
            assert response.status_code == 302, errors
        assert client.get(reverse("helpdesk:wishes"), {"page": page}).status_code == 200
        _newest_phone_is_canonical(Wish)

    post()
    assert len(posted) >= EXAMPLES
    assert 302 in posted
