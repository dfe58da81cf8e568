"""Fixtures for the member records: one member in branch A, one in branch B, documents."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.roles import MEMBER_RECORDS_OFFICERS
from members import services
from members.models import Enterprise, PartyMembership, Person

PHONE_A = "13800000001"
PHONE_B = "13800000002"
CERT_A = "DEMO00000000000001"
CERT_B = "DEMO00000000000002"


def grant_exports(user):
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="members", codename__startswith="export_"
        )
    )


def png_upload(name="scan.png", size=(40, 30)):
    buffer = BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


def pdf_upload(name="form.pdf"):
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, "application/pdf")


def make_member(*, name, phone, cert, organisation, status=PartyMembership.Status.FULL):
    person = Person.objects.create(
        name=name,
        phone=phone,
        certificate_number=cert,
        organisation=organisation,
        is_driver=True,
    )
    services.membership_save(
        membership=PartyMembership(person=person, organisation=organisation, status=status),
        user=None,
    )
    return person


@pytest.fixture
def enterprise_a(branch_a):
    return Enterprise.objects.create(
        name="甲物流公司", credit_code="91350100M000100Y43", organisation=branch_a
    )


@pytest.fixture
def person_a(branch_a):
    return make_member(name="覃泓舟", phone=PHONE_A, cert=CERT_A, organisation=branch_a)


@pytest.fixture
def person_b(branch_b):
    return make_member(name="蒙沐帆", phone=PHONE_B, cert=CERT_B, organisation=branch_b)


@pytest.fixture
def document_a(person_a):
    return services.dossier_document_add(person=person_a, user=None, upload=png_upload())


@pytest.fixture
def document_b(person_b):
    return services.dossier_document_add(person=person_b, user=None, upload=pdf_upload())


@pytest.fixture
def exporting_officer_a(officer_a):
    grant_exports(officer_a)
    return officer_a


@pytest.fixture
def committee_officer(make_user, committee):
    return make_user("officer_committee", MEMBER_RECORDS_OFFICERS, [committee])
