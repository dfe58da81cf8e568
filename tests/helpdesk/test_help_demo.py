"""The demo data: every state, some overdue, a wish wall; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Organisation, User
from helpdesk.choices import State
from helpdesk.models import HelpEvent, HelpRequest, Wish

pytestmark = pytest.mark.django_db


def test_seed_demo_covers_every_state_and_is_idempotent(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("seed_demo", stdout=StringIO())
    counts = (HelpRequest.objects.count(), HelpEvent.objects.count(), Wish.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert (HelpRequest.objects.count(), HelpEvent.objects.count(), Wish.objects.count()) == counts
    assert set(HelpRequest.objects.values_list("state", flat=True)) == set(State.values)
    assert sum(r.is_overdue for r in HelpRequest.objects.all()) >= 2
    assert Wish.objects.public().filter(state="fulfilled").exists()
    assert Wish.objects.filter(approved_at__isnull=True).exists()
    assert Organisation.objects.get(name="防城港市道路运输行业党委").kind == "committee"
    for request in HelpRequest.objects.all():
        assert request.state == request.derived_state(), request.form_token


def test_demo_accounts_see_their_requests_in_the_queue(client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("seed_demo", stdout=StringIO())
    branch = Organisation.objects.get(name="防城港港顺物流有限公司党支部")
    held_by_branch = HelpRequest.objects.filter(holder_organisation=branch)
    held_by_helper = HelpRequest.objects.get(holder_user__username="demo_helper")
    assert held_by_branch.exists()
    queue = reverse("helpdesk:staff-queue") + "?state=all"

    client.force_login(User.objects.get(username="demo_handler"))
    html = client.get(queue).content.decode()
    assert all(req.display_code in html for req in held_by_branch)
    assert held_by_helper.display_code not in html

    client.force_login(User.objects.get(username="demo_helper"))
    html = client.get(queue).content.decode()
    assert held_by_helper.display_code in html
    assert not any(req.display_code in html for req in held_by_branch)

    client.force_login(User.objects.get(username="demo_dispatcher"))
    html = client.get(queue).content.decode()
    assert all(req.display_code in html for req in HelpRequest.objects.all())
