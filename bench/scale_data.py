"""Load the city's scale into an empty, migrated database: for benchmarks only.

14,252 people, 779 enterprises, 2,000 memberships, 1,621 liaison contacts, 2,520 dossier
entries, 3,013 help requests with about 25,000 events, 500,000 access-log rows (the figures
of issue 18, from the source article's city). Everything goes in with ``bulk_create``;
timestamps are spread over the past two years. Never run against a real database: it
refuses one that already holds people.

    DATABASE_URL=sqlite:////tmp/scale.sqlite3 DEBUG=1 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/scale.sqlite3 DEBUG=1 .venv/bin/python bench/scale_data.py
"""

import os
import random
import sys
import time
from contextlib import contextmanager
from datetime import UTC, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PEOPLE = 14_252
ENTERPRISES = 779
MEMBERSHIPS = 2_000
CONTACTS = 1_621
DOSSIER = 2_520
REQUESTS = 3_013
ACCESS_LOG = 500_000
BRANCHES = 48
OFFICERS = 24
BATCH = 5_000


@contextmanager
def own_timestamps(*models):
    """Let bulk_create keep the given created_at/at values (no auto_now_add)."""
    fields = [
        f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now_add", False)
    ]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


def load(seed: int = 18) -> dict:
    """Fill the database; return the ids the benchmark needs."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Organisation, User
    from accounts.roles import DISPATCHERS, MEMBER_RECORDS_OFFICERS
    from helpdesk.choices import OPEN_STATES, Category, State
    from helpdesk.models import HelpEvent, HelpRequest
    from members.credit_code import check_character
    from members.models import (
        AccessLog,
        DossierEntry,
        Enterprise,
        LiaisonContact,
        PartyMembership,
        Person,
    )

    if Person.objects.exists():
        raise SystemExit("This database already holds people: the generator only fills empty ones.")
    rng = random.Random(seed)
    now = timezone.now()
    two_years = 2 * 365 * 24 * 3600

    def past(max_seconds: int = two_years):
        return now - timedelta(seconds=rng.randrange(60, max_seconds))

    started = time.monotonic()
    with transaction.atomic():
        committee = Organisation.objects.create(name="防城港市道路货运行业党委", kind="committee")
        branches = Organisation.objects.bulk_create(
            Organisation(
                name=f"货运企业党支部 {i:03d}",
                kind="branch" if i % 5 else "joint_branch",
                parent=committee,
            )
            for i in range(BRANCHES)
        )
        elsewhere = Organisation.objects.create(name="外地党组织", kind="other")

        # No password at all (the benchmark uses force_login): hashing 27 would take 30 s.
        superuser = User.objects.create_superuser(username="bench-auditor", password=None, email="")
        officers_group = Group.objects.get(name=MEMBER_RECORDS_OFFICERS)
        officers = []
        for i in range(OFFICERS):
            officer = User.objects.create_user(
                username=f"bench-officer-{i:02d}", password=None, is_staff=True
            )
            officer.groups.add(officers_group)
            officer.organisations.set([branches[i % BRANCHES]])
            officers.append(officer)
        committee_officer = User.objects.create_user(
            username="bench-committee-officer", password=None, is_staff=True
        )
        committee_officer.groups.add(officers_group)
        committee_officer.organisations.set([committee])
        dispatcher = User.objects.create_user(
            username="bench-dispatcher", password=None, is_staff=True
        )
        dispatcher.groups.add(Group.objects.get(name=DISPATCHERS))

        def credit_code(i: int) -> str:
            body = f"914506{i:06d}MA{i % 100:02d}X{i % 7}Q"[:17]
            return body + check_character(body)

        enterprises = Enterprise.objects.bulk_create(
            (
                Enterprise(
                    name=f"防城港货运公司 {i:04d}",
                    credit_code=credit_code(i),
                    organisation=branches[i % BRANCHES],
                )
                for i in range(ENTERPRISES)
            ),
            batch_size=BATCH,
        )
        people = Person.objects.bulk_create(
            (
                Person(
                    name=f"司机{i:05d}",
                    phone=f"139{i:08d}",
                    organisation=branches[i % BRANCHES],
                    employer=enterprises[i % ENTERPRISES],
                    is_driver=i % 10 != 0,
                    certificate_number=f"CERT{i:010d}",
                )
                for i in range(PEOPLE)
            ),
            batch_size=BATCH,
        )
        members = rng.sample(people, MEMBERSHIPS)
        memberships = []
        for i, person in enumerate(members):
            mobile = i % 12 == 0
            memberships.append(
                PartyMembership(
                    person=person,
                    organisation=person.organisation,
                    status="probationary" if i % 15 == 0 else "full",
                    is_mobile=mobile,
                    home_organisation=elsewhere if mobile else None,
                )
            )
        PartyMembership.objects.bulk_create(memberships, batch_size=BATCH)
        LiaisonContact.objects.bulk_create(
            (
                LiaisonContact(
                    from_person=(who := rng.choice(members)),
                    to_person=rng.choice([p for p in rng.sample(people, 3) if p != who]),
                    direction="driver_member_to_driver",
                    method=rng.choice(["visit", "phone", "message"]),
                    contacted_on=(now - timedelta(days=rng.randrange(0, 180))).date(),
                )
                for _ in range(CONTACTS)
            ),
            batch_size=BATCH,
        )
        with own_timestamps(DossierEntry):
            DossierEntry.objects.bulk_create(
                (
                    DossierEntry(
                        person=rng.choice(members),
                        kind="note",
                        text="谈心谈话记录",
                        created_at=past(),
                    )
                    for _ in range(DOSSIER)
                ),
                batch_size=BATCH,
            )

        # Help requests: a state and the events that led there (about 8.4 a request).
        paths = {
            State.CLOSED: [
                "received",
                "transferred",
                "started",
                "resolved",
                "followed_up",
                "closed",
            ],
            State.FOLLOWED_UP: ["received", "transferred", "started", "resolved", "followed_up"],
            State.RESOLVED: ["received", "transferred", "started", "resolved"],
            State.IN_PROGRESS: ["received", "transferred", "started"],
            State.TRANSFERRED: ["received", "transferred"],
            State.RECEIVED: ["received"],
            State.NOT_FOR_US: ["received", "not_for_us"],
        }
        states = [State.CLOSED] * 70 + [State.FOLLOWED_UP] * 8 + [State.RESOLVED] * 5
        states += [State.IN_PROGRESS] * 7 + [State.TRANSFERRED] * 4 + [State.RECEIVED] * 3
        states += [State.NOT_FOR_US] * 3
        to_state = {"started": "in_progress", "followed_up": "followed_up"}
        alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
        requests, chains = [], []
        for i in range(REQUESTS):
            state = rng.choice(states)
            created = past()
            requests.append(
                HelpRequest(
                    code="".join(rng.choice(alphabet) for _ in range(8)),
                    form_token=f"bench-{i:06d}",
                    category=rng.choice(Category.values),
                    description="车辆故障，需要帮助",
                    phone=f"138{i:08d}",
                    urgent=i % 20 == 0,
                    state=state,
                    holder_organisation=branches[i % BRANCHES] if state != "received" else None,
                    due_at=created + timedelta(days=rng.randrange(1, 10))
                    if state in OPEN_STATES
                    else None,
                    created_at=created,
                )
            )
            chains.append((created, paths[state]))
        # Codes must be unique: redraw the rare collision.
        seen: set[str] = set()
        for req in requests:
            while req.code in seen:
                req.code = "".join(rng.choice(alphabet) for _ in range(8))
            seen.add(req.code)
        with own_timestamps(HelpRequest):
            requests = HelpRequest.objects.bulk_create(requests, batch_size=BATCH)
        events = []
        for req, (created, path) in zip(requests, chains, strict=True):
            at, previous = created, ""
            for kind in path:
                state = to_state.get(kind, kind)
                events.append(
                    HelpEvent(
                        request=req,
                        kind=kind,
                        from_state=previous,
                        to_state=state,
                        actor=dispatcher if kind != "received" else None,
                        to_organisation=req.holder_organisation if kind == "transferred" else None,
                        satisfied=True if kind == "followed_up" else None,
                        created_at=at,
                    )
                )
                previous = state
                at += timedelta(minutes=rng.randrange(10, 3000))
            # Internal notes make up the rest of the history.
            for _ in range(rng.choice([2, 3, 3, 4, 4])):
                events.append(
                    HelpEvent(
                        request=req,
                        kind="note",
                        from_state="",
                        to_state=previous,
                        actor=dispatcher,
                        text="已电话联系",
                        created_at=at,
                    )
                )
        HelpEvent.objects.bulk_create(events, batch_size=BATCH)

        types = [
            ContentType.objects.get_for_model(m, for_concrete_model=False)
            for m in (Person, PartyMembership, DossierEntry, Enterprise)
        ]
        actions = ["list"] * 5 + ["view"] * 8 + ["search"] * 2 + ["change", "history", "export"]
        readers = [*officers, committee_officer]
        max_person = people[-1].pk
        min_person = people[0].pk
        # Half a million rows: plain executemany, the ORM's per-object work would dominate.
        table = AccessLog._meta.db_table
        columns = "user_id, username, action, content_type_id, object_id, count, at"
        # The table name comes from the model; every value is a parameter.
        insert = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
        # Rows in time order, as they are written in real life: each index grows at its end.
        # SQLite stores naive UTC text; PostgreSQL takes the aware value.
        step = two_years / ACCESS_LOG
        first = now - timedelta(seconds=two_years)
        sqlite = connection.vendor == "sqlite"
        utc_first = first.astimezone(UTC).replace(tzinfo=None)
        with connection.cursor() as cursor:
            for start in range(0, ACCESS_LOG, BATCH):
                rows = []
                for index in range(start, min(start + BATCH, ACCESS_LOG)):
                    user = rng.choice(readers)
                    action = rng.choice(actions)
                    offset = timedelta(seconds=index * step)
                    rows.append(
                        (
                            user.pk,
                            user.username,
                            action,
                            (types[0] if action != "list" else rng.choice(types)).pk,
                            ""
                            if action in ("list", "search", "export")
                            else str(rng.randint(min_person, max_person)),
                            50 if action in ("list", "export") else None,
                            str(utc_first + offset) if sqlite else first + offset,
                        )
                    )
                cursor.executemany(insert, rows)
    return {
        "seconds": round(time.monotonic() - started, 1),
        "superuser": superuser.pk,
        "officer": officers[0].pk,
        "committee_officer": committee_officer.pk,
        "dispatcher": dispatcher.pk,
        "person": people[len(people) // 2].pk,
        "events": len(events),
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    print(load())
