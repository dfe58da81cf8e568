"""Adding to a dossier from the person's page: said to be permanent, people told apart in
the picker, the person named afterwards; the gatekeeper and the access log still hold."""

import pytest
from django.urls import reverse

from members.models import AccessLog

from .conftest import make_member

pytestmark = pytest.mark.django_db


def test_person_page_offers_add_entry_for_that_person(client, officer_a, person_a):
    client.force_login(officer_a)
    page = client.get(reverse("admin:members_person_change", args=[person_a.pk]))
    add = reverse("admin:members_dossierentry_add") + f"?person={person_a.pk}"
    assert f'href="{add}"' in page.content.decode()
    form = client.get(add)
    assert form.context["adminform"].form.initial["person"] == str(person_a.pk)
    assert "永久保存，不能修改或删除" in form.content.decode()


def test_success_names_the_person_and_returns_to_their_page(client, officer_a, person_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("admin:members_dossierentry_add"),
        {"person": person_a.pk, "kind": "note", "text": "谈心谈话"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(
        "admin:members_person_change", args=[person_a.pk]
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [f"已为 {person_a.name} 的档案添加一条备注。"]
    assert "#" not in messages[0]


def test_a_failed_entry_keeps_the_text(client, officer_a, person_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("admin:members_dossierentry_add"),
        {"person": person_a.pk, "kind": "document", "text": "入党申请书扫描件"},
    )
    assert response.status_code == 200
    assert "入党申请书扫描件</textarea>" in response.content.decode()
    assert not person_a.dossier.filter(kind="document").exists()


def test_picker_tells_namesakes_apart_within_scope_and_is_logged(
    client, committee_officer, branch_a, branch_b
):
    make_member(name="张伟", phone="13800001111", cert="DEMO00000000000011", organisation=branch_a)
    make_member(name="张伟", phone="13800002222", cert="DEMO00000000000012", organisation=branch_b)
    client.force_login(committee_officer)
    before = AccessLog.objects.count()
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "members",
            "model_name": "dossierentry",
            "field_name": "person",
            "term": "张伟",
        },
    )
    texts = sorted(result["text"] for result in response.json()["results"])
    assert texts == sorted(
        [f"张伟 · {branch_a.name} · 138****1111", f"张伟 · {branch_b.name} · 138****2222"]
    )
    assert AccessLog.objects.count() == before + 1
    assert AccessLog.objects.latest("pk").action == AccessLog.Action.SEARCH


def test_picker_shows_no_one_outside_the_officers_scope(client, officer_a, person_a, person_b):
    client.force_login(officer_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "members", "model_name": "dossierentry", "field_name": "person", "term": ""},
    )
    names = [result["text"].split(" · ")[0] for result in response.json()["results"]]
    assert names == [person_a.name]
