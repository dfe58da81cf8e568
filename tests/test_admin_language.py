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
    # The tracking code is random: about one in twenty is all letters ("DZDSPNRJ").
    words.add(req.code)
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


def _admin_script_strings() -> set[str]:
    """What the admin's own scripts pass to gettext/ngettext (the picker, the date widget)."""
    import re
    from pathlib import Path

    import django

    found = set()
    scripts = Path(django.__file__).parent / "contrib/admin/static/admin/js"
    for path in scripts.rglob("*.js"):
        if "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\b(?:gettext|ngettext)\(\s*(['\"])(.*?)(?<!\\)\1", text):
            found.add(match.group(2).replace("\\'", "'").replace('\\"', '"'))
    return found


@pytest.mark.parametrize("prefix", ["", "/vi"])
def test_the_admins_scripts_speak_the_language_too(client, superuser, prefix):
    """The station-manager picker's "Choose … by selecting them" and its kin: Django's own
    catalogues leave some untranslated; locale/*/djangojs.po fills them in."""
    import json
    import re

    client.force_login(superuser)
    body = client.get(prefix + "/admin/jsi18n/").content.decode()
    catalog = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S).group(1))
    strings = _admin_script_strings()
    assert 'Choose %s by selecting them and then select the "Choose" arrow button.' in strings
    missing = sorted(s for s in strings if s not in catalog)
    assert not missing, missing
    # Vietnamese falls back to Chinese where it has nothing: no Chinese in /vi/'s catalogue.
    if prefix == "/vi":
        chinese = re.compile(r"[\u4e00-\u9fff]")
        showing = [s for s in strings if chinese.search(json.dumps(catalog[s], ensure_ascii=False))]
        assert not showing, showing
