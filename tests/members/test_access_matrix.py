"""Who may reach which member-data URL: every persona against every URL kind."""

import json

import pytest
from django.urls import reverse

from .conftest import PHONE_A

PERSONAS = [
    "anonymous",
    "organizer",
    "station_manager",
    "dispatcher",
    "exporting_officer_a",
    "officer_b",
    "superuser",
]

# Expected status per URL kind, for a record of branch A. "A" = 200 and A's data shown;
# "empty" = 200 without A's data.
EXPECTED = {
    "changelist": ["login", 403, 403, 403, "A", "empty", "A"],
    "change": ["login", 404, 404, 404, "A", 404, "A"],
    "history": ["login", 404, 404, 404, 200, 404, 200],
    "delete": ["login", 404, 404, 404, 403, 404, 200],
    "export": ["login", 403, 403, 403, 200, 403, 200],
    "download": [404, 404, 404, 404, 200, 404, 200],
    "overview": ["login", 404, 404, 404, "A", "empty", "A"],
    "autocomplete": ["login", 403, 403, 403, "A", "empty", "A"],
}


def _url(kind, person, document):
    pk = person.pk
    return {
        "changelist": reverse("admin:members_person_changelist"),
        "change": reverse("admin:members_person_change", args=[pk]),
        "history": reverse("admin:members_person_history", args=[pk]),
        "delete": reverse("admin:members_person_delete", args=[pk]),
        "export": reverse("admin:members_person_export"),
        "download": reverse("members:dossier-download", args=[document.pk]),
        "overview": reverse("members:overview"),
        "autocomplete": reverse("admin:autocomplete")
        + "?app_label=members&model_name=dossierentry&field_name=person&term=",
    }[kind]


CASES = [
    (kind, persona, expected)
    for kind, row in EXPECTED.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("kind", "persona", "expected"), CASES)
def test_member_url_access_matrix(request, client, kind, persona, expected, person_a, document_a):
    person_b = request.getfixturevalue("person_b")
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(_url(kind, person_a, document_a))
    if expected == "login":
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
        return
    if response.status_code == 200:
        # Staff pages carry names and phones: never kept in a shared browser's cache.
        assert "no-store" in response["Cache-Control"], kind
    if expected in ("A", "empty"):
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        if response["Content-Type"].startswith("application/json"):
            text = json.dumps(json.loads(text), ensure_ascii=False)
        if expected == "A":
            assert person_a.name in text
        else:
            assert person_a.name not in text
            assert PHONE_A not in text
            # Officer B sees their own people instead, so the page is not merely broken.
            assert person_b.name in text or kind == "changelist" and persona == "officer_b"
        return
    assert response.status_code == expected, response.status_code
    if expected == 200 and kind == "download":
        assert response["Content-Disposition"].startswith("attachment;")
