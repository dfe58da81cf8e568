"""Staff notice preferences: the page, the channel each person chose, their language."""

import pytest
from django.urls import reverse

from accounts.roles import DISPATCHERS, HELP_HANDLERS, NAMED_HELPERS
from helpdesk.services.requests import help_request_transfer
from notices.models import Notice, NoticePreference
from notices.outbox import notices_send
from tests.helpdesk.helpers import make_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_settings")]


def test_preferences_page_access(client, make_user):
    url = reverse("notices:preferences")
    assert client.get(url).status_code == 302  # to the sign-in page
    plain = make_user("plain")
    plain.is_staff = False
    plain.save()
    client.force_login(plain)
    assert client.get(url).status_code == 404
    client.force_login(make_user("officer"))
    response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count("<h1>") == 1


def test_preferences_page_saves_and_rejects_bad_input(client, make_user):
    user = make_user("handler", HELP_HANDLERS)
    client.force_login(user)
    url = reverse("notices:preferences")
    bad = client.post(url, {"channel": "pigeon", "language": "en"})
    assert bad.status_code == 200 and not NoticePreference.objects.exists()
    assert client.post(url, {"channel": "group", "language": "vi"}).status_code == 302
    preference = NoticePreference.objects.get(user=user)
    assert (preference.channel, preference.language) == ("group", "vi")


def test_email_in_the_recipients_language_not_the_actors(
    dispatcher, branch_a, make_user, mailoutbox
):
    handler = make_user("h", HELP_HANDLERS, organisations=[branch_a], email="h@example.org")
    NoticePreference.objects.create(user=handler, channel="email", language="en")
    request = make_request()
    # The dispatcher works in Chinese (the default language is active here).
    help_request_transfer(request=request, actor=dispatcher, organisation=branch_a)
    notices_send()
    mail = next(m for m in mailoutbox if m.to == ["h@example.org"])
    assert mail.subject == f"Help request {request.display_code} passed to {branch_a.name}"
    assert f"/en/staff/help/{request.pk}/" in mail.body


@pytest.mark.parametrize(
    ("channel", "mails", "groups"),
    [("email", 1, 0), ("group", 0, 1), ("both", 1, 1), ("none", 0, 0)],
)
def test_named_helper_gets_what_they_chose(
    channel, mails, groups, dispatcher, branch_a, make_user, make_group, endpoint
):
    helper = make_user("helper", NAMED_HELPERS, [branch_a], email="helper@example.org")
    NoticePreference.objects.create(user=helper, channel=channel)
    make_group("wecom", branch_a)
    request = make_request()
    help_request_transfer(request=request, actor=dispatcher, helper=helper)
    transferred = Notice.objects.filter(kind="transferred")
    assert transferred.filter(channel="email", to="helper@example.org").count() == mails
    assert transferred.filter(channel="group").count() == groups


def test_dispatchers_hear_of_new_requests_by_their_choice(make_user, make_group, endpoint):
    chooses_mail = make_user("d1", DISPATCHERS, email="d1@example.org")
    make_user("d2", DISPATCHERS, email="d2@example.org")
    NoticePreference.objects.create(user=chooses_mail, channel="email")
    NoticePreference.objects.create(
        user=make_user("d3", DISPATCHERS, email="d3@x.org"), channel="none"
    )
    make_group("dingtalk")
    make_request()
    emails = set(Notice.objects.filter(channel="email").values_list("to", flat=True))
    # d2 has no preference yet: the default is e-mail and group.
    assert emails == {"d1@example.org", "d2@example.org"}
    assert Notice.objects.filter(channel="group", kind="received").count() == 1
