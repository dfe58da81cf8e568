"""Demo staff accounts, shared by every app's demo data."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

ACCOUNTS_FILE = settings.BASE_DIR / "var" / "demo-accounts.txt"
# The root of the demo organisation tree; every app's demo data hangs under it.
COMMITTEE = "防城港市道路运输行业党委"
# Invented names (family name, given name), so histories and pickers show people, not "Demo".
DEMO_NAMES = {
    "demo-station-manager": ("黄", "海燕"),
    "demo-organizer": ("陆", "建华"),
    "demo_dispatcher": ("韦", "晓东"),
    "demo_handler": ("梁", "志强"),
    "demo_helper": ("李", "芳"),
    "members_officer_a": ("覃", "丽萍"),
    "members_officer_b": ("蒙", "国庆"),
    "members_committee_officer": ("黎", "秀英"),
}


def demo_organisation(name: str, kind: str, parent=None):
    """Get or create the demo organisation called ``name`` (names are unique)."""
    from accounts.models import Organisation

    organisation, _created = Organisation.objects.get_or_create(
        name=name, defaults={"kind": kind, "parent": parent}
    )
    return organisation


def demo_committee_and_branches(branch_names):
    """Return the demo industry committee and its branches named ``branch_names``."""
    from accounts.models import Organisation

    committee = demo_organisation(COMMITTEE, Organisation.Kind.COMMITTEE)
    branches = [
        demo_organisation(name, Organisation.Kind.BRANCH, committee) for name in branch_names
    ]
    return committee, branches


def demo_account(*, username: str, role: str | None = None, organisations=(), stdout=None):
    """Get or create a demo staff account in group ``role`` covering ``organisations``.

    A new account gets a random password, appended to var/demo-accounts.txt (readable by
    its owner only) and printed; an existing account is left as it is.
    """
    User = get_user_model()
    last, first = DEMO_NAMES.get(username, ("", "Demo"))
    user, created = User.objects.get_or_create(
        username=username, defaults={"is_staff": True, "first_name": first, "last_name": last}
    )
    if created:
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.save(update_fields=["password"])
        ACCOUNTS_FILE.parent.mkdir(parents=True, exist_ok=True)
        with ACCOUNTS_FILE.open("a", encoding="utf-8") as handle:
            handle.write(f"{username}\t{password}\t{role or ''}\n")
        ACCOUNTS_FILE.chmod(0o600)
        if stdout is not None:
            stdout.write(f"Demo account {username} ({role or 'staff'}): password {password}")
    if role:
        user.groups.add(Group.objects.get(name=role))
    if organisations:
        user.organisations.add(*organisations)
    return user
