"""The member-records officers' panel on the staff home: counts and the way in.

Only a count of the people in the officer's scope, never a name: the records themselves are
read in the admin, where every read is logged.
"""

from accounts.permissions import is_records_officer
from members.models import Person


def panel_context(request):
    if not is_records_officer(request.user):
        return None
    return {"people": Person.objects.visible_to(request.user).count()}


def register() -> None:
    from accounts import staffhome

    staffhome.register_panel(
        "members", template="members/_staff_home.html", context=panel_context, order=40
    )
