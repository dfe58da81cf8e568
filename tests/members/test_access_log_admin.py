"""The access log for auditors: indexed questions, no whole-table work, folded searches."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import services
from members.admin.access_log import BoundedPaginator
from members.models import AccessLog, Person

URL = reverse("admin:members_accesslog_changelist")


@pytest.fixture
def log_rows(officer_a, officer_b):
    person_type = ContentType.objects.get_for_model(Person)
    AccessLog.objects.bulk_create(
        AccessLog(
            user=officer_a if i % 2 else officer_b,
            username=(officer_a if i % 2 else officer_b).username,
            action=AccessLog.Action.VIEW,
            content_type=person_type,
            object_id=str(i % 10),
        )
        for i in range(60)
    )


def _sql(client, url) -> str:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return "\n".join(q["sql"] for q in queries.captured_queries).upper()


def test_first_page_has_no_date_hierarchy_no_full_count_no_like(client, superuser, log_rows):
    client.force_login(superuser)
    sql = _sql(client, URL)
    log_queries = [q for q in sql.split("\n") if "MEMBERS_ACCESSLOG" in q]
    assert not any("DISTINCT" in q or "LIKE" in q for q in log_queries)
    # The only count is bounded by a LIMIT (a subquery), never the whole table.
    for query in log_queries:
        if "COUNT(" in query:
            assert "LIMIT" in query


def test_filter_by_user_and_record_are_exact(client, superuser, officer_a, log_rows):
    client.force_login(superuser)
    response = client.get(URL, {"user": officer_a.pk})
    assert response.context["cl"].result_count == 30
    person_type = ContentType.objects.get_for_model(Person)
    response = client.get(URL, {"q": "3", "content_type__id__exact": person_type.pk})
    assert response.context["cl"].result_count == 6
    assert "LIKE" not in _sql(client, URL + "?q=3")


def test_date_range_uses_plain_bounds(client, superuser, log_rows):
    client.force_login(superuser)
    response = client.get(
        URL, {"at__gte": "2000-01-01 00:00:00+08:00", "at__lt": "2100-01-01 00:00:00+08:00"}
    )
    assert response.context["cl"].result_count == 60
    assert client.get(URL, {"at__gte": "2100-01-01 00:00:00+08:00"}).context["cl"].result_count == 0


def test_bounded_count_says_when_more_rows_match(client, superuser, log_rows, monkeypatch):
    monkeypatch.setattr(BoundedPaginator, "LIMIT", 20)
    client.force_login(superuser)
    response = client.get(URL)
    assert response.context["cl"].result_count == 20
    assert response.context["cl"].paginator.truncated
    assert "符合条件的记录超过 20 条" in response.content.decode()


@pytest.mark.parametrize("persona", ["officer_a", "organizer", "dispatcher", "station_manager"])
def test_only_superusers_read_the_log(request, client, persona, log_rows):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403


def test_nobody_deletes_or_changes_rows_in_the_admin(client, superuser, log_rows):
    client.force_login(superuser)
    row = AccessLog.objects.first()
    delete = reverse("admin:members_accesslog_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    response = client.post(
        URL, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert AccessLog.objects.filter(pk=row.pk).exists()
    assert response.status_code in (200, 302)


def test_autocomplete_keystrokes_are_one_search(client, officer_a, person_a):
    client.force_login(officer_a)
    url = reverse("admin:autocomplete")
    for term in ["覃", "覃泓", "覃泓舟", "138"]:
        response = client.get(
            url,
            {
                "app_label": "members",
                "model_name": "dossierentry",
                "field_name": "person",
                "term": term,
            },
        )
        assert response.status_code == 200
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == 1


def test_a_new_search_after_the_window_is_logged_again(officer_a, monkeypatch):
    from django.core.cache import cache

    assert services.access_log_search(user=officer_a, model=Person) is not None
    assert services.access_log_search(user=officer_a, model=Person) is None
    cache.delete(f"members:search-log:{officer_a.pk}:members.person")  # the window passed
    assert services.access_log_search(user=officer_a, model=Person) is not None


def test_anonymous_is_sent_to_sign_in(client, log_rows):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_first_page_query_count_does_not_grow_with_the_log(
    client, superuser, log_rows, officer_a, django_assert_max_num_queries
):
    client.force_login(superuser)
    client.get(URL)
    with django_assert_max_num_queries(8) as small:
        client.get(URL)
    person_type = AccessLog.objects.first().content_type
    AccessLog.objects.bulk_create(
        AccessLog(user=officer_a, username="x", action="view", content_type=person_type)
        for _ in range(500)
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(URL)
