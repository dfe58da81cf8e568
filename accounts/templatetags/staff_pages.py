"""The staff pages a person may use, for the admin's index (by URL name: accounts knows no
domain app)."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts import permissions

register = template.Library()

# (label, URL name, who may use it)
PAGES = [
    (_("Staff home"), "accounts:home", permissions.is_active_staff),
    (_("Help request queue"), "helpdesk:staff-queue", permissions.is_active_staff),
    (_("Micro-wishes to review"), "helpdesk:staff-wishes", permissions.is_dispatcher),
    (_("Manage events"), "events:staff-list", permissions.is_organizer),
    (_("Care visits"), "events:staff-visits", permissions.is_organizer),
    (_("Records overview"), "members:overview", permissions.is_records_officer),
    (
        _("The committee's monthly report"),
        "report",
        lambda u: permissions.is_organizer(u) or permissions.is_records_officer(u),
    ),
    (_("Station console"), "stations:console", permissions.is_station_manager),
]


@register.simple_tag
def staff_pages(user):
    """Return [(label, url)] for the staff pages ``user`` may open (missing ones left out)."""
    pages = []
    for label, name, may in PAGES:
        if not may(user):
            continue
        try:
            pages.append((label, reverse(name)))
        except NoReverseMatch:
            continue
    return pages
