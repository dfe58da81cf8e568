"""The demo data: every state, some overdue, a wish wall; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Organisation
from helpdesk.models import HelpEvent, HelpRequest, Wish
from helpdesk.models.requests import State

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
