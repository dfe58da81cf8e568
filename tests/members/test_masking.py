"""Phones and certificate numbers: masked in every list, full only to those who may edit."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.roles import MEMBER_RECORDS_OFFICERS
from members.admin.base import masked
from members.models import Enterprise

from .conftest import CERT_A, PHONE_A


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("13800000001", "138****0001"),
        ("+84900000001", "+84*****0001"),
        ("DEMO00000000000001", "DEM***********0001"),
        ("AB12", "A***"),
        ("12345", "1****"),
        ("１３８０００００００１", "138****0001"),
        ("", ""),
    ],
)
def test_masked_column_hides_the_middle(stored, shown):
    class Row:
        phone = stored

    assert masked("phone", "phone")(None, Row()) == shown


@pytest.mark.parametrize(
    "url_name", ["admin:members_person_changelist", "admin:members_partymembership_changelist"]
)
def test_lists_never_show_full_numbers(client, officer_a, person_a, url_name):
    client.force_login(officer_a)
    html = client.get(reverse(url_name), {"q": ""}).content.decode()
    assert person_a.name in html
    assert PHONE_A not in html
    assert CERT_A not in html


def test_person_list_shows_masked_numbers(client, superuser, person_a):
    client.force_login(superuser)
    html = client.get(reverse("admin:members_person_changelist")).content.decode()
    assert "138****0001" in html
    assert "DEM***********0001" in html
    assert PHONE_A not in html


def test_search_by_full_phone_still_shows_it_masked(client, officer_a, person_a):
    client.force_login(officer_a)
    html = client.get(reverse("admin:members_person_changelist"), {"q": PHONE_A}).content.decode()
    assert "138****0001" in html
    # What the officer typed is echoed in the search box and links; nowhere else.
    rest = html.replace(f"q={PHONE_A}", "").replace(f"q%3D{PHONE_A}", "")
    rest = rest.replace(f'value="{PHONE_A}"', "")
    assert PHONE_A not in rest


def test_enterprise_list_masks_contact_phone(client, officer_a, enterprise_a):
    enterprise_a.contact_phone = "13900000077"
    enterprise_a.save()
    client.force_login(officer_a)
    html = client.get(reverse("admin:members_enterprise_changelist")).content.decode()
    assert enterprise_a.name in html
    assert "13900000077" not in html
    assert "139****0077" in html


def test_change_page_shows_full_numbers_to_an_editor(client, officer_a, person_a):
    client.force_login(officer_a)
    html = client.get(reverse("admin:members_person_change", args=[person_a.pk])).content.decode()
    assert PHONE_A in html
    assert CERT_A in html


def test_change_page_masks_numbers_for_a_reader_who_may_not_edit(client, officer_a, person_a):
    officers = Group.objects.get(name=MEMBER_RECORDS_OFFICERS)
    officers.permissions.remove(Permission.objects.get(codename="change_person"))
    client.force_login(officer_a)
    html = client.get(reverse("admin:members_person_change", args=[person_a.pk])).content.decode()
    assert person_a.name in html
    assert PHONE_A not in html
    assert CERT_A not in html
    assert "138****0001" in html


def test_credit_code_is_not_masked_but_checked(client, officer_a, branch_a):
    client.force_login(officer_a)
    url = reverse("admin:members_enterprise_add")
    data = {"name": "丙公司", "organisation": branch_a.pk, "address": "", "contact_name": ""}
    bad = client.post(url, {**data, "credit_code": "91350100M000100Y44", "contact_phone": ""})
    assert bad.status_code == 200
    assert "credit_code" in bad.context["adminform"].form.errors
    good = client.post(url, {**data, "credit_code": "91350100m000100y43", "contact_phone": ""})
    assert good.status_code == 302
    assert Enterprise.objects.get().credit_code == "91350100M000100Y43"
