import pytest

from open311.models import Partner
from open311.services import partner_key_issue


@pytest.fixture
def make_partner(db):
    def make(name="微信小程序"):
        partner = Partner(name=name)
        key = partner_key_issue(partner=partner)
        return partner, key

    return make


@pytest.fixture
def partner(make_partner):
    return make_partner()


@pytest.fixture
def valid_post(station):
    """A complete, valid POST body (without the key)."""
    return {
        "service_code": "breakdown",
        "description": "轮胎爆了，在港口附近",
        "phone": "13800138000",
        "first_name": "师傅",
        "last_name": "王",
        "attribute[station]": station.slug,
        "attribute[urgent]": "true",
    }
