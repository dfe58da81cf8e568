"""Each staff member's work on a 390x844 phone in Chinese, signed in with two factors:
confirmations before anything is handed over or taken off, input kept after a deliberate
error, and feedback that names what happened."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import DISPATCHERS, MEMBER_RECORDS_OFFICERS, NAMED_HELPERS, ORGANIZERS
from tests.accounts.helpers import code_for
from tests.conftest import PASSWORD, enrol_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _staff(username, role, organisation, **names):
    """A staff account with a confirmed authenticator (transactional tests flush the groups
    the migrations made, so the role is made again)."""
    group, _created = Group.objects.get_or_create(name=role)
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True, **names)
    user.groups.add(group)
    user.organisations.add(organisation)
    return user, enrol_second_factor(user)


def _sign_in(page, base, user, device, path):
    """Sign in as people do: the password, then the authenticator's code; land on ``path``."""
    page.goto(base + path)
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/account/code/**")
    page.fill("#id_code", code_for(device))
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(base + path)


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _in_view(page, selector):
    """Tell whether the element is inside the 844 px tall screen (once scripts have run)."""
    page.wait_for_load_state("load")
    box = page.locator(selector).first.bounding_box()
    return box is not None and 0 <= box["y"] < 844


def _success(page):
    return page.locator(".message.success").inner_text()


@pytest.fixture
def branch():
    return Organisation.objects.create(name="港口区党支部", kind="branch")


def test_dispatcher_transfers_an_urgent_request_and_follows_one_to_close(
    live_server, phone_page, branch
):
    from helpdesk.services import requests as help_services
    from tests.helpdesk.helpers import make_request

    dispatcher, device = _staff("dispatcher", DISPATCHERS, branch)
    helper, _device = _staff("li", NAMED_HELPERS, branch, first_name="芳", last_name="李")
    _staff("zhao", MEMBER_RECORDS_OFFICERS, branch, first_name="敏", last_name="赵")
    urgent = make_request(urgent=True, description="车在 G228 抛锚，急需拖车")
    calm = make_request(category="legal")
    help_services.help_request_transfer(request=calm, actor=dispatcher, organisation=branch)
    help_services.help_request_resolve(request=calm, actor=dispatcher, what_was_done="已联系律师")
    page, base = phone_page, live_server.url
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(page, base, dispatcher, device, "/staff/help/")

    # The urgent request leads the queue, with its deadline said in words.
    first = page.locator(".queue li").first
    assert urgent.display_code in first.inner_text() and "后到期" in first.inner_text()
    _fits(page)
    first.locator("a").click()
    page.wait_for_url(f"**/staff/help/{urgent.pk}/")

    # A deliberate error: no one chosen. The note is kept, the panel open, the error in view.
    page.locator("#action-transfer summary").click()
    page.fill("#id_note", "司机在东兴口岸等候")
    page.locator("#action-transfer button[type=submit]").click()
    page.wait_for_selector("#action-transfer[open] .form-errors")
    assert page.input_value("#id_note") == "司机在东兴口岸等候"
    assert _in_view(page, "#action-transfer .form-errors")
    # The picker offers only who can take it, by full name and organisation.
    options = page.locator("#id_helper option").all_inner_texts()
    assert "李芳 · 港口区党支部" in options and not any("赵敏" in o for o in options)
    page.select_option("#id_helper", label="李芳 · 港口区党支部")
    page.locator("#action-transfer button[type=submit]").click()

    # Asked first, then told exactly what happened.
    page.wait_for_selector(".confirm .question")
    assert page.locator(".confirm .question").inner_text() == (
        f"要把 {urgent.display_code} 转交给 李芳 吗？"
    )
    _fits(page)
    page.click("button[name=confirmed]")
    page.wait_for_url(f"**/staff/help/{urgent.pk}/")
    assert _success(page).startswith(f"{urgent.display_code} 已转交给 李芳（截止 ")
    assert "→ 李芳" in page.locator(".timeline").inner_text()

    # The other one: call the driver back, then close it (asked first).
    page.goto(base + f"/staff/help/{calm.pk}/")
    page.locator("#action-follow-up summary").click()
    page.locator("#action-follow-up input[value=yes]").check()
    page.locator("#action-follow-up button[type=submit]").click()
    page.wait_for_selector(".message.success")
    assert "司机表示满意" in _success(page)
    page.locator("#action-close summary").click()
    page.locator("#action-close button[type=submit]").click()
    page.wait_for_selector(".confirm .question")
    assert "要办结" in page.locator(".confirm .question").inner_text()
    page.click("button[name=confirmed]")
    page.wait_for_selector(".message.success")
    assert _success(page) == f"{calm.display_code} 已办结。"
    assert errors == []


def test_organizer_posts_publishes_postpones_cancels_and_reports(live_server, phone_page, branch):
    from events.models import Event

    organizer, device = _staff("organizer", ORGANIZERS, branch)
    past = Event.objects.create(
        kind="summer_cooling",
        title="上周的送清凉",
        starts_at=timezone.now() - timedelta(days=7),
        ends_at=timezone.now() - timedelta(days=7) + timedelta(hours=2),
        place="港口停车场",
        organisation=branch,
        published=True,
    )
    page, base = phone_page, live_server.url
    _sign_in(page, base, organizer, device, "/staff/events/new/")
    starts = timezone.localtime(timezone.now() + timedelta(days=5)).replace(second=0)

    # A deliberate error: no title. What was typed stays, and the error is in view.
    page.select_option("#id_kind", "summer_cooling")
    page.fill("#id_description", "为司机送上绿豆汤和防暑药品。")
    page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "港口区友谊大道停车场")
    page.click("form.staff-form button[type=submit]")
    page.wait_for_selector(".errorlist")
    assert page.input_value("#id_description") == "为司机送上绿豆汤和防暑药品。"
    assert page.input_value("#id_place") == "港口区友谊大道停车场"
    assert _in_view(page, ".errorlist")
    # The organisation defaulted to the organizer's own.
    assert page.locator("#id_organisation option:checked").inner_text() == "港口区党支部"
    page.fill("#id_title", "夏送清凉")
    page.click("form.staff-form button[type=submit]")
    page.wait_for_url(base + "/staff/events/")
    assert _success(page) == "“夏送清凉”已保存为草稿：发布之前司机看不到。"
    card = page.locator(".event-card", has_text="夏送清凉").first

    card.get_by_role("button", name="发布").click()
    page.wait_for_url(base + "/staff/events/")
    assert _success(page) == "“夏送清凉”已发布，司机现在可以看到。"

    # Withdrawing asks first; "back" keeps it on the portal.
    card = page.locator(".event-card", has_text="夏送清凉").first
    card.get_by_role("button", name="撤回").click()
    page.wait_for_selector(".confirm .question")
    assert page.locator(".confirm .question").inner_text() == (
        "要从平台撤下“夏送清凉”吗？撤下后司机将看不到这条通知。"
    )
    page.get_by_role("link", name="返回，不撤下").click()
    page.wait_for_url(base + "/staff/events/")

    # Postponed to a new date, which the public page shows beside the old one.
    card = page.locator(".event-card", has_text="夏送清凉").first
    card.get_by_role("link", name="延期").click()
    new_start = starts + timedelta(days=7)
    page.fill("#id_starts_at", new_start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_note", "台风预警，改期举行")
    page.click("form.staff-form button[type=submit]")
    page.wait_for_url(base + "/staff/events/")
    assert _success(page).startswith("“夏送清凉”已改期至")
    event = Event.objects.get(title="夏送清凉")
    page.goto(base + event.get_absolute_url())
    assert "由原定的" in page.locator(".event-postponement").inner_text()
    _fits(page)

    # Cancelled with a reason.
    page.goto(base + f"/staff/events/{event.pk}/cancel/")
    page.fill("#id_note", "台风红色预警，活动取消")
    page.click("form.staff-form button[type=submit]")
    page.wait_for_url(base + "/staff/events/")
    assert _success(page) == "“夏送清凉”已取消，仍保留在列表中并标注“已取消”。"

    # Only the past event offers a report; it is saved with the event named.
    assert page.locator(f"a[href='/staff/events/{event.pk}/report/']").count() == 0
    page.locator(f"a[href='/staff/events/{past.pk}/report/']").click()
    page.fill("#id_people_reached", "85")
    page.fill("#id_report", "共发放防暑用品85份。")
    page.click("form.staff-form button[type=submit]")
    page.wait_for_url(base + "/staff/events/")
    assert _success(page) == "“上周的送清凉”的活动总结已保存。"


def test_officer_adds_a_dossier_document_from_the_person_page(live_server, phone_page, branch):
    from members.models import Person
    from tests.members.conftest import pdf_upload

    codenames = importlib.import_module("members.migrations.0002_officer_permissions").CODENAMES
    officer, device = _staff("officer", MEMBER_RECORDS_OFFICERS, branch)
    Group.objects.get(name=MEMBER_RECORDS_OFFICERS).permissions.add(
        *Permission.objects.filter(content_type__app_label="members", codename__in=codenames)
    )
    person = Person.objects.create(name="覃泓舟", phone="13800000001", organisation=branch)
    page, base = phone_page, live_server.url
    path = f"/admin/members/person/{person.pk}/change/"
    _sign_in(page, base, officer, device, path)

    page.get_by_role("link", name="添加档案记录").click()
    page.wait_for_url("**/admin/members/dossierentry/add/?person=*")
    assert "永久保存，不能修改或删除" in page.locator("fieldset .description").inner_text()
    # A deliberate error: a document without its file. The text stays.
    page.select_option("#id_kind", "document")
    page.fill("#id_text", "入党申请书扫描件")
    page.click("input[name=_save]")
    page.wait_for_selector(".errorlist")
    assert page.input_value("#id_text") == "入党申请书扫描件"
    upload = pdf_upload()
    page.set_input_files(
        "#id_upload",
        files=[{"name": "form.pdf", "mimeType": "application/pdf", "buffer": upload.read()}],
    )
    with page.expect_navigation(url=base + path):
        page.click("input[name=_save]")
    assert page.locator(".messagelist .success").inner_text() == (
        "已为 覃泓舟 的档案添加一份文件。"
    )
    assert person.dossier.filter(kind="document").count() == 1
