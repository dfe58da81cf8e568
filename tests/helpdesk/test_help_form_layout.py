"""The help form puts "urgent" first and says where-you-are is required before sending."""

import re

import pytest
from django.urls import reverse

from helpdesk.forms.requests import HelpRequestForm

pytestmark = pytest.mark.django_db


def test_urgent_is_the_first_field():
    visible = [
        name for name, field in HelpRequestForm().fields.items() if not field.widget.is_hidden
    ]
    visible = [name for name in visible if name not in ("website",)]
    assert visible[0] == "urgent"


def test_page_shows_urgent_first_and_the_location_rule_before_sending(client):
    html = client.get(reverse("helpdesk:form")).content.decode()
    form = html[html.index('<form method="post"') :]
    fields = re.findall(r'<(?:input|select|textarea)[^>]*name="([a-z_]+)"', form)
    shown = [name for name in fields if name not in ("csrfmiddlewaretoken", "token", "website")]
    assert shown[0] == "urgent"
    assert shown.index("urgent") < shown.index("category") < shown.index("description")
    # The location requirement is stated next to the location fields, before the button.
    rule = form.index('id="location-required"')
    assert form.index("<legend><strong>您在哪里？") < rule < form.index('name="station_q"')
    assert rule < form.index('id="send-help"')
    assert "必填" in form[rule : rule + 200]


@pytest.mark.parametrize("prefix", ["", "/en", "/vi"])
def test_home_page_links_to_the_figures(client, prefix):
    html = client.get(f"{prefix}/").content.decode()
    assert f'href="{prefix}/figures/" id="home-figures"' in html
