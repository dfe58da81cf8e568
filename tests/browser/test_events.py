"""Care events on a phone: the public list and the organizers' form."""

import pytest
from django.contrib.auth.models import Group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_event_list_and_notice_fit_a_phone(live_server, phone_page, make_event, station):
    make_event("港口站夏送清凉活动", station=station, place="")
    make_event("取消的培训", status="cancelled", status_note="台风停办")
    page = phone_page
    page.goto(live_server.url + "/events/")
    assert page.locator("h1").inner_text() == "活动与通知"
    assert page.locator(".event-card.is-cancelled .badge-danger").inner_text() == "已取消"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    link = page.get_by_role("link", name="港口站夏送清凉活动")
    assert link.bounding_box()["height"] >= 44
    link.click()
    page.wait_for_url("**/events/*/")
    assert page.locator("h1").inner_text() == "港口站夏送清凉活动"
    assert page.get_by_role("link", name="添加到日历").bounding_box()["height"] >= 44
    assert page.get_by_role("link", name=station.name).bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_organizer_creates_an_event_on_a_phone(live_server, phone_page, make_user, branch_a):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    # Transactional tests flush the groups the migrations made.
    Group.objects.get_or_create(name="Organizers")
    organizer = make_user("organizer", "Organizers", [branch_a])
    session = SessionStore()
    session[SESSION_KEY] = str(organizer.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = organizer.get_session_auth_hash()
    session.save()
    page = phone_page
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )
    page.goto(live_server.url + "/staff/events/new/")
    assert page.locator("h1").inner_text() == "新建活动"
    page.select_option("#id_kind", "forum")
    page.fill("#id_title", "司机座谈会")
    page.fill("#id_starts_at", "2030-07-15T23:30")
    page.fill("#id_ends_at", "2030-07-15T22:00")
    page.fill("#id_place", "港口停车场")
    page.select_option("#id_organisation", str(branch_a.pk))
    page.get_by_role("button", name="保存").click()
    assert "结束时间不能早于开始时间。" in page.locator("main").inner_text()
    assert page.locator("#id_title").input_value() == "司机座谈会"
    page.fill("#id_ends_at", "2030-07-16T00:30")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/staff/events/")
    assert "司机座谈会" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
