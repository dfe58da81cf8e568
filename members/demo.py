"""Demo member records: invented people, clearly fake numbers, two officers to try scoping.

Phones are 1380000xxxx (driver party members), 1390000xxxx (enterprise staff),
1370000xxxx (non-member drivers); certificates start with DEMO. Nobody here is real.
"""

import random
from datetime import date, timedelta
from functools import partial

from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.demo import COMMITTEE, demo_account, demo_organisation
from accounts.models import Organisation
from accounts.roles import MEMBER_RECORDS_OFFICERS

from . import services
from .credit_code import check_character
from .models import (
    DossierEntry,
    DutyContact,
    Enterprise,
    LiaisonContact,
    LiaisonDuty,
    MentoringPair,
    PartyMembership,
    Person,
)

# (enterprise, its branch, address) — invented operators.
ENTERPRISES = [
    ("防城港海澄通达物流有限公司", "海澄通达物流党支部", "港口区渔澫大道演示路1号"),
    ("防城港北湾顺航运输有限公司", "北湾顺航运输党支部", "港口区兴港大道演示路8号"),
    ("防城港江山鹭岛货运有限公司", "江山鹭岛货运党支部", "防城区江山演示路12号"),
    ("东兴边贸远途运输有限公司", "东兴边贸远途运输党支部", "东兴市北仑河演示路3号"),
    ("上思十万山冷链物流有限公司", "十万山冷链物流党支部", "上思县思阳演示路5号"),
]
JOINT_BRANCH = "企沙港区小微货运企业联合党支部"
JOINT_ENTERPRISES = [
    ("防城港企沙小马货运部", "港口区企沙演示路20号"),
    ("防城港光坡快运服务部", "港口区光坡演示路21号"),
]
PARTNERS = [
    ("广西物流快递行业工会（演示）", Organisation.Kind.TRADE_UNION),
    ("防城港市交通运输团委（演示）", Organisation.Kind.YOUTH_LEAGUE),
    ("防城港市交通运输妇联（演示）", Organisation.Kind.WOMENS_FEDERATION),
]
# Where the three mobile members are registered: organisations outside the city.
HOME_ORGANISATIONS = [
    "钦州市演示物流公司党支部（原籍）",
    "玉林市演示运输公司党支部（原籍）",
    "贵港市演示货运公司党支部（原籍）",
]
DRIVER_MEMBERS = 138
MOBILE = 3
SURNAMES = "韦覃蒙莫陆黎梁黄农闭卢廖甘邓钟"
GIVEN_FIRST = "泓澈沐岚屹骁瀚珂朔蔚晗翊"
GIVEN_SECOND = "舟帆航渡峤澜驰骋铖锐楠"


def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_FIRST) + rng.choice(GIVEN_SECOND)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _credit_code(serial: int) -> str:
    body = f"91450600MA5L{serial:05d}"
    return body + check_character(body)


def _saved(model, key: str, value: str, **fields):
    """The demo record whose ``key`` is ``value``, saved through the service if missing."""
    record = model.objects.filter(**{key: value}).first()
    if record is None:
        record = model(**{key: value}, **fields)
        services.record_save(instance=record, user=None)
    return record


def _set_drivers(pair: MentoringPair, drivers: list[Person]) -> None:
    pair.drivers.set(drivers)


def _enterprise(*, credit_code, **fields):
    return _saved(Enterprise, "credit_code", credit_code, **fields)


def _person(*, phone, **fields):
    return _saved(Person, "phone", phone, **fields)


def seed(*, stdout):
    rng = random.Random(20250821)
    committee = demo_organisation(COMMITTEE, Organisation.Kind.COMMITTEE)
    committee.phone = committee.phone or "07700000000"
    committee.save(update_fields=["phone"])
    for name, kind in PARTNERS:
        demo_organisation(name, kind)
    homes = [demo_organisation(name, Organisation.Kind.OTHER) for name in HOME_ORGANISATIONS]

    branches, enterprises = [], []
    for index, (company, branch_name, address) in enumerate(ENTERPRISES, start=1):
        branch = demo_organisation(branch_name, Organisation.Kind.BRANCH, committee)
        branches.append(branch)
        enterprise = _enterprise(
            credit_code=_credit_code(index),
            name=company,
            address=address,
            contact_name="联络员" + str(index),
            contact_phone=f"1390000{index:04d}",
            organisation=branch,
        )
        enterprises.append(enterprise)
    joint = demo_organisation(JOINT_BRANCH, Organisation.Kind.JOINT_BRANCH, committee)
    branches.append(joint)
    for offset, (company, address) in enumerate(JOINT_ENTERPRISES, start=len(ENTERPRISES) + 1):
        enterprise = _enterprise(
            credit_code=_credit_code(offset), name=company, address=address, organisation=joint
        )
        enterprises.append(enterprise)

    def enterprise_of(branch):
        return next(e for e in enterprises if e.organisation_id == branch.pk)

    taken: set[str] = set()
    # Enterprise staff who are party members: the mentors, two per branch.
    mentor_names = _names(rng, len(branches) * 2, taken)
    mentors = []
    for index, name in enumerate(mentor_names, start=1):
        branch = branches[(index - 1) // 2]
        person = _person(
            phone=f"1390000{index + 100:04d}",
            name=name,
            organisation=branch,
            employer=enterprise_of(branch),
            is_driver=False,
        )
        if not hasattr(person, "membership"):
            services.membership_save(
                membership=PartyMembership(
                    person=person,
                    organisation=branch,
                    status=PartyMembership.Status.FULL,
                    joined_on=date(2005 + index % 12, 1 + index % 12, 1),
                ),
                user=None,
            )
        mentors.append(person)

    drivers = []
    for index, name in enumerate(_names(rng, DRIVER_MEMBERS, taken), start=1):
        branch = branches[index % len(branches)]
        person = _person(
            phone=f"1380000{index:04d}",
            name=name,
            organisation=branch,
            employer=enterprise_of(branch),
            is_driver=True,
            certificate_number=f"DEMO{index:014d}",
        )
        if not hasattr(person, "membership"):
            mobile = index <= MOBILE
            services.membership_save(
                membership=PartyMembership(
                    person=person,
                    organisation=branch,
                    status=(
                        PartyMembership.Status.PROBATIONARY
                        if index % 9 == 0
                        else PartyMembership.Status.FULL
                    ),
                    joined_on=date(2000 + index % 24, 1 + index % 12, 1 + index % 27),
                    is_mobile=mobile,
                    home_organisation=homes[index - 1] if mobile else None,
                ),
                user=None,
            )
        drivers.append(person)

    # Drivers who are not party members, reached by driver members (the second direction).
    others = []
    for index, name in enumerate(_names(rng, 24, taken), start=1):
        branch = branches[index % len(branches)]
        others.append(
            _person(
                phone=f"1370000{index:04d}",
                name=name,
                organisation=branch,
                is_driver=True,
                certificate_number=f"DEMO{index + 500:014d}",
            )
        )
    # One cross-border driver with a Vietnamese number.
    others.append(
        _person(
            phone="+84900000001",
            name=_names(rng, 1, taken)[0],
            organisation=branches[3],
            is_driver=True,
        )
    )

    today = timezone.localdate()
    if not MentoringPair.objects.filter(mentor__in=mentors).exists():
        for index, mentor in enumerate(mentors):
            mates = [d for d in drivers if d.organisation_id == mentor.organisation_id]
            group = mates[(index % 2) * 5 : (index % 2) * 5 + 3 + index % 3]
            ended = today - timedelta(days=20) if index % 5 == 4 else None
            pair = MentoringPair(
                organisation_id=mentor.organisation_id,
                mentor=mentor,
                started_on=today - timedelta(days=200 + index * 7),
                ended_on=ended,
            )
            services.record_save(
                instance=pair, user=None, save_related=partial(_set_drivers, pair, group)
            )

    if not LiaisonContact.objects.filter(from_person__in=mentors).exists():
        methods = list(LiaisonContact.Method.values)
        # About two thirds of the driver members have a recent contact; the rest show up
        # on the overview as "no liaison contact in 90 days".
        for driver in drivers:
            if rng.random() < 0.33:
                continue
            mentor = next(m for m in mentors if m.organisation_id == driver.organisation_id)
            services.record_save(
                instance=LiaisonContact(
                    from_person=mentor,
                    to_person=driver,
                    direction=LiaisonContact.Direction.MEMBER_TO_DRIVER_MEMBER,
                    method=rng.choice(methods),
                    contacted_on=today - timedelta(days=rng.randint(0, 80)),
                    note="演示记录：了解近况。",
                ),
                user=None,
            )
        for index, other in enumerate(others):
            driver = next(d for d in drivers if d.organisation_id == other.organisation_id)
            services.record_save(
                instance=LiaisonContact(
                    from_person=driver,
                    to_person=other,
                    direction=LiaisonContact.Direction.DRIVER_MEMBER_TO_DRIVER,
                    method=methods[index % len(methods)],
                    contacted_on=today - timedelta(days=rng.randint(0, 120)),
                    note="演示记录：介绍司机之家服务点。",
                ),
                user=None,
            )

    if not DossierEntry.objects.filter(kind=DossierEntry.Kind.NOTE, person__in=drivers).exists():
        for driver in drivers[:20]:
            services.dossier_note_add(
                person=driver, user=None, text="演示记录：参加本月微党课学习。"
            )

    officer_a = demo_account(
        username="members_officer_a",
        role=MEMBER_RECORDS_OFFICERS,
        organisations=[branches[0]],
        stdout=stdout,
    )
    officer_a.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="members", codename__startswith="export_"
        )
    )
    demo_account(
        username="members_officer_b",
        role=MEMBER_RECORDS_OFFICERS,
        organisations=[branches[1]],
        stdout=stdout,
    )
    committee_officer = demo_account(
        username="members_committee_officer",
        role=MEMBER_RECORDS_OFFICERS,
        organisations=[committee],
        stdout=stdout,
    )
    _seed_liaison_duty(committee_officer, enterprises, today, rng)
    stdout.write(
        f"Member records: {Person.objects.count()} people, "
        f"{PartyMembership.objects.count()} party members."
    )


def _seed_liaison_duty(member, enterprises, today, rng) -> None:
    """The committee member liaises with most enterprises; some were last seen long ago."""
    if LiaisonDuty.objects.exists():
        return
    methods = list(DutyContact.Method.values)
    for index, enterprise in enumerate(enterprises[:-2]):
        duty = LiaisonDuty(
            committee_member=member, enterprise=enterprise, started_on=today - timedelta(days=300)
        )
        services.record_save(instance=duty, user=None)
        # Every third enterprise was last contacted more than 90 days ago.
        days = rng.randint(100, 150) if index % 3 == 2 else rng.randint(3, 80)
        services.record_save(
            instance=DutyContact(
                duty=duty,
                contacted_on=today - timedelta(days=days),
                method=methods[index % len(methods)],
                raised="演示记录：企业反映司机夜间停车难。",
                follow_up="演示记录：已与港口协调临时停车位。",
            ),
            user=None,
        )
