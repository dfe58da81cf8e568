"""Two-factor sign-in on a 360x740 phone: enrol, sign out, sign in with a code."""

import base64
import importlib
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django_otp.oath import TOTP

from accounts.models import Organisation, User
from accounts.roles import MEMBER_RECORDS_OFFICERS
from tests.browser.conftest import phone_context
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _officer():
    # A transactional test flushes what data migrations created: put the group back.
    codenames = importlib.import_module("members.migrations.0002_officer_permissions").CODENAMES
    group, _ = Group.objects.get_or_create(name=MEMBER_RECORDS_OFFICERS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="members", codename__in=codenames)
    )
    branch = Organisation.objects.create(name="甲物流公司党支部", kind="branch")
    user = User.objects.create_user(username="officer_phone", password=PASSWORD, is_staff=True)
    user.groups.add(group)
    user.organisations.add(branch)
    return user


def _code(secret, steps_ahead=0):
    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_enrol_sign_out_and_sign_in_with_a_code_on_a_phone(live_server, browser):
    officer = _officer()
    context = phone_context(browser)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    base = live_server.url

    page.goto(base + "/members/overview/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    # A records officer has no second factor yet: enrolment comes first.
    page.wait_for_url("**/staff/account/two-factor/**")
    assert page.locator("h1").inner_text() == "设置两步验证"
    qr = page.locator(".qr svg")
    assert qr.is_visible()
    assert qr.bounding_box()["width"] >= 150
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    # The key is also shown in groups of four for typing by hand.
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == secret
    _fits(page)
    page.fill("#id_code", _code(secret))
    page.click("form.account-form button[type=submit]")

    page.wait_for_url("**/staff/account/recovery-codes/**")
    assert page.locator(".recovery-codes code").count() == 10
    _fits(page)
    page.click("a.button")
    page.wait_for_url(base + "/members/overview/")
    assert page.locator("h1").inner_text() == "党员信息概览"

    # Sign out from the sessions page.
    page.goto(base + "/staff/account/")
    assert page.locator(".session-list li").count() == 1
    _fits(page)
    # The page's own button (the staff bar has one too).
    page.locator("#main form[action='/staff/account/sign-out/'] button").click()
    page.wait_for_url("**/admin/login/")

    # Sign in again: password, then the code the app shows (the next one: codes are single use).
    page.goto(base + "/members/overview/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/account/code/**")
    assert page.locator("h1").inner_text() == "输入验证码"
    _fits(page)
    field = page.locator("#id_code")
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert field.bounding_box()["height"] >= 44
    field.fill(_code(secret, steps_ahead=1))
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(base + "/members/overview/")
    assert page.locator("h1").inner_text() == "党员信息概览"
    assert errors == []
    context.close()


@pytest.mark.parametrize(
    "language, sign_in, enrol",
    [
        ("en", "Staff sign-in", "Set up two-factor sign-in"),
        ("vi", "Đăng nhập cho cán bộ", "Thiết lập đăng nhập hai lớp"),
    ],
)
def test_sign_in_and_enrolment_fit_a_phone_in_english_and_vietnamese(
    live_server, browser, language, sign_in, enrol
):
    officer = _officer()
    context = phone_context(browser, language)
    page = context.new_page()
    page.goto(f"{live_server.url}/{language}/members/overview/")
    assert page.locator("h1").inner_text() == sign_in
    _fits(page)
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/two-factor/**")
    assert page.locator("h1").inner_text() == enrol
    assert page.locator(".qr svg").is_visible()
    _fits(page)
    context.close()
