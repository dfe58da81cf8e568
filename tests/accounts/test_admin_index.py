"""The admin index: the site's name, sections by task in Chinese, security last, and the
staff pages linked."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _sections(html):
    return re.findall(r'<caption>\s*<a href="[^"]*"[^>]*>([^<]+)</a>', html)


def test_index_is_grouped_by_task_with_security_last(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:index")).content.decode()
    assert "<title>您要做什么？ | 司机之家后台管理</title>" in html
    assert "Django" not in html.split("<body")[1].split('id="staff-pages"')[0]
    sections = _sections(html)
    assert sections[:4] == ["诉求", "活动与走访", "服务站点", "党员档案"]
    assert sections[-1] == "登录安全（锁定记录）"
    # The roles sit with the staff accounts, not in a section of their own.
    assert "认证和授权" not in sections
    for url in (reverse("accounts:home"), reverse("helpdesk:staff-queue")):
        assert f'href="{url}"' in html


def test_index_links_only_the_staff_pages_a_role_may_use(client, officer_a):
    client.force_login(officer_a)
    html = client.get(reverse("admin:index")).content.decode()
    pages = html.split('id="staff-pages"')[1].split("</ul>")[0]
    assert reverse("members:overview") in pages
    assert reverse("events:staff-list") not in pages


def test_roles_and_yes_no_are_translated(client, superuser, organizer):
    client.force_login(superuser)
    html = client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "活动组织者" in html and "Organizers" not in html
    users = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert 'alt="True"' not in users and 'alt="是"' in users
