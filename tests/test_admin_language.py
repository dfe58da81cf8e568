"""The admin and the staff pages speak the person's language: no English left in the
Chinese admin, none in the Vietnamese one (a few proper names and formats apart)."""

import pytest

from helpdesk.services import requests as help_services
from tests.admin_language import crawl_staff
from tests.helpdesk.helpers import make_request
from tests.members.conftest import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_world(superuser, organizer, dispatcher, officer_a, make_event, make_station, branch_a):
    """A little of everything, named in Chinese as the portal's data is."""
    superuser.first_name, superuser.last_name = "明", "周"
    superuser.save()
    make_station("东兴口岸司机之家", slug="dongxing", amenities=["showers"])
    make_event("夏送清凉")
    req = make_request(description="车坏在 G228 上")
    help_services.help_request_transfer(request=req, actor=dispatcher, organisation=branch_a)
    make_member(name="张三", phone="13800001111", cert="450602199001011234", organisation=branch_a)
    from stations.models import Amenity

    # The data itself: user names and the amenities' English and Vietnamese names.
    words = {u.username for u in (superuser, organizer, dispatcher, officer_a)}
    # The authenticator's name in the test set-up; what axes stores for a missing header.
    words |= {"tests", "unknown"}
    for code, name_en, name_vi in Amenity.objects.values_list("code", "name_en", "name_vi"):
        words |= {code, *f"{name_en} {name_vi}".split()}
    return words


@pytest.mark.parametrize("prefix", ["", "/vi"])
def test_no_english_in_the_admin_and_staff_pages(client, superuser, staff_world, prefix):
    client.force_login(superuser)
    found, seen = crawl_staff(client, prefix, data=staff_world)
    # It went everywhere: every admin section, the staff pages, the security models.
    for path in ("/staff/", "/staff/help/", "/staff/events/", "/admin/axes/accesslog/"):
        assert prefix + path in seen
    assert len(seen) > 150
    report = "\n".join(f"{url}: {', '.join(words)}" for url, words in sorted(found.items()))
    assert not found, report
