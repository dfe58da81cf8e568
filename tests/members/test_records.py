"""Records: credit codes, organisation tree, memberships, append-only dossiers, documents."""

from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from PIL import Image

from accounts.models import Organisation
from members import services
from members.credit_code import check_character, normalize_credit_code
from members.documents import MAX_DOCUMENT_BYTES
from members.models import (
    AccessLog,
    DossierEntry,
    MentoringPair,
    PartyMembership,
    Person,
)
from members.querysets import member_scope

from .conftest import pdf_upload


@pytest.mark.parametrize(
    "code", ["91350100M000100Y43", "９１３５０１００Ｍ０００１００Ｙ４３", "91350100m000100y43"]
)
def test_credit_code_accepts_valid_forms(code):
    assert normalize_credit_code(code) == "91350100M000100Y43"


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong check character
        "91350100M000100Y4",  # too short
        "91350100M000100I43",  # I is not in the alphabet
        "9135010AM000100Y43",  # region code must be digits
        "",
        "91350100M000100Y43\x00",
    ],
)
def test_credit_code_refuses_invalid(code):
    with pytest.raises(ValidationError):
        normalize_credit_code(code)


def test_check_character_round_trips():
    body = "91450600MA5L00001"
    assert normalize_credit_code(body + check_character(body)).endswith(check_character(body))


def test_subtree_covers_every_level_in_one_query(django_assert_num_queries, committee, branch_a):
    team = Organisation.objects.create(name="甲车队党小组", kind="other", parent=branch_a)
    deeper = Organisation.objects.create(name="甲车队一组", kind="other", parent=team)
    with django_assert_num_queries(1):
        ids = Organisation.objects.subtree_ids([branch_a])
    assert ids == {branch_a.pk, team.pk, deeper.pk}
    assert set(Organisation.objects.descendants_of(committee)) >= {committee, branch_a, deeper}


def test_officer_scope_reaches_sub_organisations(officer_a, branch_a, branch_b):
    team = Organisation.objects.create(name="甲车队党小组", kind="other", parent=branch_a)
    person = Person.objects.create(name="某甲", organisation=team)
    assert member_scope(officer_a) == {branch_a.pk, team.pk}
    assert list(Person.objects.visible_to(officer_a)) == [person]


def test_non_officers_see_no_people(dispatcher, organizer, person_a):
    # The dispatcher covers the committee but is not a records officer.
    assert not Person.objects.visible_to(dispatcher).exists()
    assert not Person.objects.visible_to(organizer).exists()


def test_mobile_member_seen_by_home_and_managing_officers(
    make_user, committee, branch_a, branch_b, officer_a, officer_b
):
    person = Person.objects.create(name="流动甲", organisation=branch_a)
    services.membership_save(
        membership=PartyMembership(
            person=person,
            organisation=branch_a,
            status="full",
            is_mobile=True,
            home_organisation=branch_b,
        ),
        user=None,
    )
    assert person in Person.objects.visible_to(officer_a)
    assert person in Person.objects.visible_to(officer_b)


def test_mobile_member_needs_a_different_home(branch_a, person_a):
    membership = person_a.membership
    membership.is_mobile = True
    with pytest.raises(ValidationError):
        membership.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        membership.save()
    membership.home_organisation = membership.organisation
    with pytest.raises(IntegrityError), transaction.atomic():
        membership.save()


def test_status_change_is_recorded_in_the_dossier(person_a, officer_a):
    membership = person_a.membership
    membership.status = PartyMembership.Status.PROBATIONARY
    services.membership_save(membership=membership, user=officer_a)
    entry = person_a.dossier.filter(kind=DossierEntry.Kind.STATUS).first()
    assert entry.author == officer_a
    assert str(PartyMembership.Status.FULL.label) in entry.text
    assert str(PartyMembership.Status.PROBATIONARY.label) in entry.text
    # Saving without a change adds nothing.
    services.membership_save(membership=membership, user=officer_a)
    assert person_a.dossier.filter(kind=DossierEntry.Kind.STATUS).count() == 2


def test_dossier_entries_cannot_be_changed_or_deleted_in_admin(client, officer_a, document_a):
    client.force_login(officer_a)
    url = reverse("admin:members_dossierentry_change", args=[document_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()
    client.post(url, {"text": "changed"})
    document_a.refresh_from_db()
    assert document_a.text == ""
    delete = reverse("admin:members_dossierentry_delete", args=[document_a.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert DossierEntry.objects.filter(pk=document_a.pk).exists()


def test_officer_adds_note_and_document_through_admin(client, officer_a, person_a):
    client.force_login(officer_a)
    url = reverse("admin:members_dossierentry_add")
    note = client.post(url, {"person": person_a.pk, "kind": "note", "text": "谈心谈话"})
    assert note.status_code == 302
    doc = client.post(
        url, {"person": person_a.pk, "kind": "document", "text": "", "upload": pdf_upload()}
    )
    assert doc.status_code == 302
    kinds = set(person_a.dossier.values_list("kind", flat=True))
    assert {"note", "document", "status"} <= kinds


def test_officer_cannot_add_to_a_dossier_outside_scope(client, officer_a, person_b):
    client.force_login(officer_a)
    response = client.post(
        reverse("admin:members_dossierentry_add"),
        {"person": person_b.pk, "kind": "note", "text": "x"},
    )
    assert response.status_code == 200
    assert not person_b.dossier.filter(kind="note").exists()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        (
            "evil.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
            "image/svg+xml",
        ),
        ("evil.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "application/pdf"),
        ("empty.png", b"", "image/png"),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
    ],
)
def test_document_refused_by_content(client, officer_a, person_a, name, content, content_type):
    client.force_login(officer_a)
    upload = SimpleUploadedFile(name, content, content_type)
    response = client.post(
        reverse("admin:members_dossierentry_add"),
        {"person": person_a.pk, "kind": "document", "text": "", "upload": upload},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["upload"]
    assert not person_a.dossier.filter(kind="document").exists()


def test_document_size_is_capped(person_a):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * MAX_DOCUMENT_BYTES + b"%%EOF")
    with pytest.raises(ValidationError):
        services.dossier_document_add(person=person_a, user=None, upload=big)
    assert not person_a.dossier.filter(kind="document").exists()


def test_image_document_is_reencoded_without_metadata(settings, person_a):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (21.0, 36.0, 0.0)}
    buffer = BytesIO()
    Image.new("RGB", (50, 40), (1, 2, 3)).save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("身份证-覃泓舟.jpg", buffer.getvalue(), "image/jpeg")
    entry = services.dossier_document_add(person=person_a, user=None, upload=upload)
    path = Path(entry.document.path)
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert "覃泓舟" not in entry.document.name
    with Image.open(path) as stored:
        assert not stored.getexif()
    assert entry.content_kind == "jpeg"
    with pytest.raises(ValueError):
        entry.document.url  # noqa: B018  (private files have no URL)


def test_download_sends_attachment_no_store(client, officer_a, document_a):
    client.force_login(officer_a)
    response = client.get(reverse("members:dossier-download", args=[document_a.pk]))
    assert response.status_code == 200
    # An opaque PNG is re-encoded as JPEG by portal.lib.images.
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == f'attachment; filename="dossier-{document_a.pk}.jpg"'
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")


def test_download_of_a_note_is_404(client, officer_a, person_a):
    note = services.dossier_note_add(person=person_a, user=None, text="x")
    client.force_login(officer_a)
    assert client.get(reverse("members:dossier-download", args=[note.pk])).status_code == 404


def test_mentoring_pair_saved_with_drivers_and_logged_once(client, officer_a, person_a, branch_a):
    driver = Person.objects.create(name="某司机", organisation=branch_a)
    client.force_login(officer_a)
    response = client.post(
        reverse("admin:members_mentoringpair_add"),
        {
            "organisation": branch_a.pk,
            "mentor": person_a.pk,
            "drivers": [driver.pk],
            "started_on": "2025-01-01",
            "ended_on": "",
        },
    )
    assert response.status_code == 302
    pair = MentoringPair.objects.get()
    assert list(pair.drivers.all()) == [driver]
    assert pair.history.exists()
    assert AccessLog.objects.filter(action="add", user=officer_a).count() == 1


@pytest.mark.parametrize("value", ["\x00", "%00", "a\x00b"])
def test_nul_in_query_string_is_not_a_server_error(client, officer_a, person_a, value):
    client.force_login(officer_a)
    for name in ["person", "liaisoncontact", "mentoringpair", "dossierentry", "enterprise"]:
        response = client.get(reverse(f"admin:members_{name}_changelist"), {"q": value})
        assert response.status_code in (200, 302, 400), name
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "members",
            "model_name": "dossierentry",
            "field_name": "person",
            "term": value,
        },
    )
    assert response.status_code in (200, 400)


def test_liaison_contact_direction_must_fit_the_people(person_a, branch_a):
    from members.models import LiaisonContact

    mentor = Person.objects.create(name="企业党员", organisation=branch_a, is_driver=False)
    services.membership_save(
        membership=PartyMembership(person=mentor, organisation=branch_a, status="full"),
        user=None,
    )
    outsider = Person.objects.create(name="非党员司机", organisation=branch_a)
    direction = LiaisonContact.Direction
    ok = LiaisonContact(
        from_person=mentor,
        to_person=person_a,
        direction=direction.MEMBER_TO_DRIVER_MEMBER,
        method="visit",
        contacted_on="2025-08-01",
    )
    ok.full_clean()
    LiaisonContact(
        from_person=person_a,
        to_person=outsider,
        direction=direction.DRIVER_MEMBER_TO_DRIVER,
        method="phone",
        contacted_on="2025-08-01",
    ).full_clean()
    for who, whom, way in [
        (outsider, person_a, direction.MEMBER_TO_DRIVER_MEMBER),  # non-member making contact
        (mentor, outsider, direction.MEMBER_TO_DRIVER_MEMBER),  # contacted is no member
        (person_a, mentor, direction.DRIVER_MEMBER_TO_DRIVER),  # contacted is a member
    ]:
        bad = LiaisonContact(
            from_person=who,
            to_person=whom,
            direction=way,
            method="visit",
            contacted_on="2025-08-01",
        )
        with pytest.raises(ValidationError):
            bad.full_clean()


def test_stored_phones_must_be_canonical(branch_a):
    person = Person(name="某人", phone="138 0000 0001", organisation=branch_a)
    with pytest.raises(ValidationError):
        person.full_clean()
    person.phone = "13800000001"
    person.full_clean()


def test_officer_registers_mobile_member_with_home_elsewhere(client, officer_a, person_a):
    home = Organisation.objects.create(name="外地某党支部", kind="other")
    client.force_login(officer_a)
    membership = person_a.membership
    response = client.post(
        reverse("admin:members_partymembership_change", args=[membership.pk]),
        {
            "person": person_a.pk,
            "organisation": membership.organisation_id,
            "status": "full",
            "joined_on": "",
            "is_mobile": "on",
            "home_organisation": home.pk,
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.is_mobile, membership.home_organisation) == (True, home)
    assert "外地某党支部" in person_a.dossier.filter(kind="status").first().text


def test_dossier_entries_have_no_history_pages(client, superuser, document_a):
    client.force_login(superuser)
    pk = document_a.pk
    assert client.get(reverse("admin:members_dossierentry_history", args=[pk])).status_code == 404
    url = reverse("admin:members_dossierentry_simple_history", args=[pk, 1])
    assert client.get(url).status_code == 404
