"""The officers' overview on a phone: readable, tappable, nothing wider than the screen."""

import importlib

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import Organisation, User
from accounts.roles import MEMBER_RECORDS_OFFICERS
from tests.accounts.helpers import code_for
from tests.conftest import PASSWORD, enrol_second_factor
from tests.members.conftest import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _officer(username, organisation):
    # A transactional test flushes what data migrations created (groups, their
    # permissions), so the officers' group is put back the way migration 0002 makes it.
    codenames = importlib.import_module("members.migrations.0002_officer_permissions").CODENAMES
    group, _ = Group.objects.get_or_create(name=MEMBER_RECORDS_OFFICERS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="members", codename__in=codenames)
    )
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True)
    user.groups.add(group)
    user.organisations.add(organisation)
    return user


def test_overview_on_a_phone_lists_quiet_members(live_server, phone_page):
    branch = Organisation.objects.create(name="甲物流公司党支部", kind="branch")
    officer = _officer("officer_phone", branch)
    device = enrol_second_factor(officer)
    make_member(name="覃泓舟", phone="13800000001", cert="", organisation=branch)
    page = phone_page
    page.goto(live_server.url + "/members/overview/")
    # Anonymous visitors are sent to the login page first.
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # Then the code from the officer's authenticator app (two-factor sign-in).
    page.wait_for_url("**/staff/account/code/**")
    page.fill("#id_code", code_for(device))
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(live_server.url + "/members/overview/")
    assert page.locator("h1").inner_text() == "党员信息概览"
    link = page.locator(".members-quiet").get_by_role("link", name="覃泓舟")
    assert link.is_visible()
    assert link.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
