"""The staff roles, as Django groups created by accounts' migrations.

A person's organisations say *where* they work; their role says *what* they may do. A role
grants nothing outside the person's organisations (and their sub-organisations), except
where ``accounts.permissions`` says so.
"""

from django.utils.translation import gettext_lazy as _

ORGANIZERS = "Organizers"
STATION_MANAGERS = "Station managers"
DISPATCHERS = "Dispatchers"
HELP_HANDLERS = "Help handlers"
MEMBER_RECORDS_OFFICERS = "Member-records officers"
# Party members who take a help request passed to them by name; they see only those.
NAMED_HELPERS = "Named helpers"

ROLE_LABELS = {
    ORGANIZERS: _("Organizers"),
    STATION_MANAGERS: _("Station managers"),
    DISPATCHERS: _("Dispatchers"),
    HELP_HANDLERS: _("Help handlers"),
    MEMBER_RECORDS_OFFICERS: _("Member-records officers"),
    NAMED_HELPERS: _("Named helpers"),
}

# The roles whose holders may be given a help request by name (the transfer picker).
HELP_ROLES = (DISPATCHERS, HELP_HANDLERS, NAMED_HELPERS)

ROLES = tuple(ROLE_LABELS)
