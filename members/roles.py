"""The staff roles, as Django groups. Later migrations give them their permissions."""

from django.utils.translation import gettext_lazy as _

ORGANIZERS = "Organizers"
STATION_MANAGERS = "Station managers"
DISPATCHERS = "Dispatchers"
MEMBER_RECORDS_OFFICERS = "Member-records officers"

ROLE_LABELS = {
    ORGANIZERS: _("Organizers"),
    STATION_MANAGERS: _("Station managers"),
    DISPATCHERS: _("Dispatchers"),
    MEMBER_RECORDS_OFFICERS: _("Member-records officers"),
}


def has_role(user, role: str) -> bool:
    """Tell whether an active user is in the group ``role`` (superusers hold every role)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return any(group.name == role for group in user.groups.all())
