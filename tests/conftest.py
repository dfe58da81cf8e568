"""Project-wide fixtures: personas, uploads in a temp folder, a Chromium page."""

import errno
import os
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from accounts.models import Organisation, User
from accounts.roles import (
    DISPATCHERS,
    HELP_HANDLERS,
    MEMBER_RECORDS_OFFICERS,
    ORGANIZERS,
    STATION_MANAGERS,
)

PASSWORD = "correct-horse-battery-staple-42"


@pytest.fixture(autouse=True)
def _default_language():
    # A request to /vi/… leaves Vietnamese active in the thread; each test starts in Chinese.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def page_cache_on(settings, db):
    """The shared page cache on (the suite runs with PAGE_CACHE=0 so that query counts stay
    exact), starting and ending empty, with no fragment copies left in the process."""
    from django.core.cache import cache

    from portal.lib import fragments

    settings.PAGE_CACHE = True
    cache.clear()
    fragments.forget()
    yield
    cache.clear()
    fragments.forget()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Persona accounts are created in nearly every test; PBKDF2 would dominate.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


# --- A disk that fills up part-way ----------------------------------------------------------


class FullDisk:
    """Django's storage writes through ``os.fdopen``; after ``writes_that_fit`` writes (all
    files together: one write a file up to 64 KiB, then one a chunk) the disk is full."""

    def __init__(self, writes_that_fit=1):
        self.writes_that_fit, self.writes = writes_that_fit, 0

    def wrap(self, real):
        disk = self

        class File:
            def write(self, chunk):
                disk.writes += 1
                if disk.writes > disk.writes_that_fit:
                    raise OSError(errno.ENOSPC, "No space left on device")
                return real.write(chunk)

            def close(self):
                real.close()

        return File()


@pytest.fixture
def full_disk(monkeypatch):
    """The storage's first write succeeds, every later one fails as a full disk does;
    set ``full_disk.writes_that_fit`` to let more through."""
    disk, real_fdopen = FullDisk(), os.fdopen

    def fdopen(fd, mode="r", *args, **kwargs):
        return disk.wrap(real_fdopen(fd, mode, *args, **kwargs))

    monkeypatch.setattr("django.core.files.storage.filesystem.os.fdopen", fdopen)
    return disk


def files_under(root):
    """Every file under ``root`` (a folder that may not exist), hidden ones included."""
    return [p for p in Path(root).rglob("*") if p.is_file()]


# --- Two-factor sign-in ---------------------------------------------------------------------


def enrol_second_factor(user):
    """Give ``user`` a confirmed authenticator (what enrolment leaves behind); return it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="tests", confirmed=True)


def signed_in_session_key(user):
    """Store a session signed in as ``user`` with the second factor verified; return its key.

    For browser tests that hand a session cookie to the browser instead of signing in.
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts import twofactor

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[twofactor.DEVICE_KEY] = enrol_second_factor(user).persistent_id
    session[twofactor.VERIFIED_AT_KEY] = time.time()
    session.save()
    return session.session_key


_PASSWORD_ONLY_LOGIN = Client.force_login


def password_only_login(client, user):
    """Sign ``client`` in as after the password step only: the second factor is unproved."""
    _PASSWORD_ONLY_LOGIN(client, user)


@pytest.fixture(autouse=True)
def _force_login_with_second_factor(monkeypatch):
    """Make ``client.force_login(staff)`` stand for the whole two-step sign-in.

    Staff who have a second factor, or whose role requires one (a device is enrolled for
    them if missing), get a session whose second factor was just verified, as after the
    code page. Organizers and station managers without a device sign in as before. Tests
    of the gate itself use ``password_only_login``.
    """
    from accounts import twofactor

    def force_login(self, user, backend=None):
        _PASSWORD_ONLY_LOGIN(self, user, backend)
        if not user.is_staff:
            return
        device = twofactor.confirmed_totp(user)
        if device is None and twofactor.requires_two_factor(user):
            device = enrol_second_factor(user)
        if device is None:
            return
        session = self.session
        session[twofactor.DEVICE_KEY] = device.persistent_id
        session[twofactor.VERIFIED_AT_KEY] = time.time()
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def committee(db):
    return Organisation.objects.create(name="测试行业党委", kind=Organisation.Kind.COMMITTEE)


@pytest.fixture
def branch_a(committee):
    return Organisation.objects.create(
        name="甲物流公司党支部", kind=Organisation.Kind.BRANCH, parent=committee
    )


@pytest.fixture
def branch_b(committee):
    return Organisation.objects.create(
        name="乙运输公司党支部", kind=Organisation.Kind.BRANCH, parent=committee
    )


@pytest.fixture
def make_user(db):
    """Create a staff user in ``role`` (a group name) covering ``organisations``."""
    from accounts import twofactor

    def make(username, role=None, organisations=(), **extra):
        user = User.objects.create_user(
            username=username, password=PASSWORD, is_staff=True, **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        if organisations:
            user.organisations.set(organisations)
        # Staff whose role requires a second factor have set it up, as the portal requires;
        # organizers and station managers have not (it is only offered to them).
        if twofactor.requires_two_factor(user):
            enrol_second_factor(user)
        return user

    return make


@pytest.fixture
def superuser(db):
    user = User.objects.create_superuser(username="root", password=PASSWORD, email="")
    enrol_second_factor(user)
    return user


@pytest.fixture
def organizer(make_user, branch_a):
    return make_user("organizer", ORGANIZERS, [branch_a])


@pytest.fixture
def station_manager(make_user):
    return make_user("manager", STATION_MANAGERS)


@pytest.fixture
def dispatcher(make_user, committee):
    return make_user("dispatcher", DISPATCHERS, [committee])


@pytest.fixture
def help_handler(make_user, branch_a):
    """A help handler of branch A: handles the requests transferred to branch A."""
    return make_user("handler_a", HELP_HANDLERS, [branch_a])


@pytest.fixture
def officer_a(make_user, branch_a):
    return make_user("officer_a", MEMBER_RECORDS_OFFICERS, [branch_a])


@pytest.fixture
def officer_b(make_user, branch_b):
    return make_user("officer_b", MEMBER_RECORDS_OFFICERS, [branch_b])


# --- Browser ------------------------------------------------------------------------------

# The only addresses a browser test may reach: this machine.
NETWORK_GUARD_ORIGINS = ("http://localhost", "http://127.0.0.1", "data:", "blob:")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """A headless Debian Chromium driven by Playwright; skips when it is not installed.

    CI sets REQUIRE_BROWSER=1 so a missing browser fails instead of skipping.
    """
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} but REQUIRE_BROWSER=1")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def phone_page(browser):
    """A page in a 390x844 phone-sized viewport that may reach only this machine.

    Service workers are blocked: with request interception on (the network guard below)
    Playwright advises it, since the worker's own fetches escape the route; a navigation
    through the worker stalled now and then (a form's answer or a link's page never came,
    30 s). The offline app is tested on its own contexts (tests/browser/test_offline.py).
    """
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        service_workers="block",
    )
    # No test may touch the network: anything not on loopback is refused.
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(NETWORK_GUARD_ORIGINS)
            else route.abort()
        ),
    )
    page = context.new_page()
    yield page
    context.close()


# --- Care events (events engineer) --------------------------------------------------------


@pytest.fixture
def station(db):
    from stations.models import Station

    return Station.objects.create(
        name="港口司机之家", slug="port-home", latitude=21.58, longitude=108.36, published=True
    )


@pytest.fixture
def make_event(branch_a):
    """Create a published event starting ``days`` from now (keyword overrides allowed)."""
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Event

    def make(title="夏送清凉活动", days=3, hours=2, **fields):
        starts = fields.pop("starts_at", timezone.now() + timedelta(days=days))
        values = {
            "kind": Event.Kind.SUMMER_COOLING,
            "title": title,
            "description": "为司机送上绿豆汤和防暑药品。",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=hours),
            "place": "港口区友谊大道停车场",
            "organisation": branch_a,
            "published": True,
        }
        values.update(fields)
        return Event.objects.create(**values)

    return make


# --- Stations -----------------------------------------------------------------------------


@pytest.fixture
def make_station(db):
    """Create a published, open, 24-hour station; keyword arguments override fields.

    ``amenities`` takes amenity codes (or (code, extra fields) pairs).
    """
    import importlib

    from stations.models import Amenity, Station, StationAmenity

    # Transactional (browser) tests flush the amenities the data migration created.
    if not Amenity.objects.exists():
        catalogue = importlib.import_module(
            "stations.migrations.0002_amenities_and_manager_permissions"
        ).AMENITIES
        for code, zh, en, vi, icon, key, order in catalogue:
            Amenity.objects.create(
                code=code,
                name_zh_hans=zh,
                name_en=en,
                name_vi=vi,
                icon=icon,
                key=key,
                sort_order=order,
            )
    counter = iter(range(1, 10_000))

    def make(name=None, *, latitude=21.60, longitude=108.35, amenities=(), **fields):
        number = next(counter)
        fields.setdefault("slug", f"station-{number}")
        fields.setdefault("published", True)
        fields.setdefault("open_24h", True)
        fields.setdefault("district", Station.District.GANGKOU)
        station = Station.objects.create(
            name=name or f"测试司机之家{number}号",
            latitude=latitude,
            longitude=longitude,
            **fields,
        )
        for entry in amenities:
            code, extra = (entry, {}) if isinstance(entry, str) else entry
            StationAmenity.objects.create(
                station=station, amenity=Amenity.objects.get(code=code), **extra
            )
        return station

    return make
