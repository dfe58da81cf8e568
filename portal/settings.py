"""Settings for the Driver Home portal.

One file, read top to bottom, configured by environment variables. Every variable is
listed with its default in README.md and .env.example. A `.env` file in the project folder
is read too; variables already in the environment win over it. With no variables set the
portal runs on SQLite under var/ with DEBUG off, which needs SECRET_KEY; `make` writes a
development `.env` with DEBUG=1 into a checkout that has none.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# Values from .env fill in what the environment does not say; the environment always wins.
load_dotenv(BASE_DIR / ".env", override=False)


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------

# Development mode: detailed error pages, no HTTPS redirects. Never on in production.
DEBUG = env_bool("DEBUG", False)

# Signing key for sessions and tokens. Required when DEBUG is off.
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Development only: a random key kept in var/, so no key is ever committed.
    _key_file = VAR_DIR / "dev-secret-key"
    if not _key_file.exists():
        _key_file.parent.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text(encoding="utf-8").strip()

# Host names this site answers to, comma-separated.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# Origins trusted for HTTPS form posts behind a proxy, comma-separated full origins.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Number of reverse proxies in front of the app whose X-Forwarded-For may be believed.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# The 24-hour emergency rescue line, shown as a tap-to-call link on every page.
EMERGENCY_PHONE = env_str("EMERGENCY_PHONE", "0770-12345")

INSTALLED_APPS = [
    # Translated content fields (docs/translation.md); it must come before the admin.
    "modeltranslation",
    # Admin modules are discovered by portal.apps, skipping django-leaflet's (it needs GDAL).
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "accounts.axes_app.SignInSecurityConfig",  # django-axes, named for staff
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "leaflet",
    "simple_history",
    "import_export",
    "portal",
    "accounts",
    "stations",
    "members",
    "events",
    "notices",
    "helpdesk",
    "crossings",
    "open311",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Staff pages, refusals included, are never stored by browsers or proxies.
    "portal.middleware.StaffNoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and feeds compressed by the app itself, so a phone on a weak signal gets them
    # small even without a compressing proxy (static files are answered above, already
    # compressed by whitenoise). Django's GZip pads its output against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Anonymous GETs of the public pages and feeds from the shared cache, once the language
    # is known and before the per-visitor layers (CSRF, sign-in, sessions' staff checks).
    "portal.pagecache.PageCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff sessions: idle and absolute timeouts, last seen, the second-factor gate.
    "accounts.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.context_processors.site",
                "accounts.context_processors.staff_bar",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

# SQLite settings measured on these machines: IMMEDIATE transactions plus WAL and a busy
# timeout take concurrent "check, then insert" writers from a third failing to none.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; "
        "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
    ),
}

# Database URL: postgres://user:pass@host:5432/name for PostgreSQL; default SQLite in var/.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
# Seconds a worker keeps its database connection open between requests (0: a new one per
# request). Persistent by default in production: opening a PostgreSQL connection costs more
# than most pages' queries. Each connection is checked before a request reuses it
# (CONN_HEALTH_CHECKS), and a SQLite one also checks that its file is still in place
# (portal/db). docs/performance.md says what to watch (PostgreSQL max_connections).
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 0 if DEBUG else 600)
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True)
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend, except that only `migrate` may create a missing file: a
    # database moved away is an error (/healthz 503), never a new empty one (portal/db).
    _db["ENGINE"] = "portal.db"
    _db["OPTIONS"] = {**SQLITE_OPTIONS, **_db.get("OPTIONS", {})}
    if _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif _db["ENGINE"] not in {"django.db.backends.postgresql"}:
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL: nearby's statement (the one query the nearby page runs for every driver) is
# a prepared statement, parsed and planned once per connection (docs/performance.md).
# Behind PgBouncer in transaction mode that needs PgBouncer 1.21+ with
# max_prepared_statements set; else turn it off (0). Django's other queries are not prepared.
DB_PREPARED_NEARBY = env_bool("DB_PREPARED_NEARBY", True)

# --- Cache ------------------------------------------------------------------------------

# Redis URL for the shared cache (redis://127.0.0.1:6379/0). Without it the database
# cache is used, so rate limits and lockouts stay shared between worker processes.
REDIS_URL = env_str("REDIS_URL", "")
# The database cache (table portal_cache, created by `migrate`): the whole cache without
# Redis, and where rate limits go while Redis does not answer (portal/lib/ratelimit.py).
DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "portal_cache",
    # The default 300 entries would cull rate-limit slots under load.
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.lib.rediscache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "driverhome",
            # A Redis that is down or unreachable must cost a request half a second at
            # most, not a hung worker.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
        "database": DATABASE_CACHE,
    }
else:
    CACHES = {"default": DATABASE_CACHE, "database": DATABASE_CACHE}

# The shared page cache for anonymous visitors' GETs of the public pages and feeds
# (portal/pagecache.py, docs/performance.md): in Redis with REDIS_URL, else in the database
# cache. Off (0) serves every page afresh.
PAGE_CACHE = env_bool("PAGE_CACHE", True)
# The data public pages show: a write to any of these apps' tables (or these models'),
# by any means Django sends SQL, starts a new data version and every cached page misses.
# An app label covers its future models too; add a label here when a public page starts
# showing another app's data (portal/lib/dataversion.py).
PAGE_CACHE_DATA = ["stations", "events", "crossings", "accounts.Organisation"]

# --- Authentication and lockout ---------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Lock an account from an address after 5 failures for 15 minutes, never permanently.
# Attempts are stored in the database, so every worker process sees the same count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.lib.net.client_ip"
# A correct password alone must not wipe the failures of the second-factor step: the count
# is reset only once the second factor is verified too (accounts.twofactor).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "portal/lockout.html"

# --- Staff sessions and two-factor sign-in (accounts) -----------------------------------

# A staff session ends after this many minutes without a request.
STAFF_IDLE_MINUTES = env_int("STAFF_IDLE_MINUTES", 30, minimum=1)
# A staff session ends this many hours after sign-in, however busy.
STAFF_ABSOLUTE_HOURS = env_int("STAFF_ABSOLUTE_HOURS", 12, minimum=1)
# Full phone numbers, exports and role changes ask for the second factor again when the
# last check is older than this many minutes.
STEP_UP_MINUTES = env_int("STEP_UP_MINUTES", 5, minimum=1)
# The access review flags accounts with no sign-in for this many days.
ACCESS_REVIEW_STALE_DAYS = env_int("ACCESS_REVIEW_STALE_DAYS", 90, minimum=1)
# No session cookie outlives the absolute staff time.
SESSION_COOKIE_AGE = STAFF_ABSOLUTE_HOURS * 3600
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Driver Home"

# --- Internationalisation ---------------------------------------------------------------

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
    ("vi", "Tiếng Việt"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Translated content (station names, notes, events, crossings): django-modeltranslation adds
# one column per language beside each field; Chinese is the required one and the fallback.
MODELTRANSLATION_DEFAULT_LANGUAGE = "zh-hans"
MODELTRANSLATION_LANGUAGES = ("zh-hans", "en", "vi")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("zh-hans",)
# A border-crossing status notice older than this is shown faded and marked as old.
CROSSING_NOTICE_STALE_MINUTES = env_int("CROSSING_NOTICE_STALE_MINUTES", 180)
# The one local time zone: opening hours, event times, help deadlines, iCal and the map
# (handed to scripts as <html data-time-zone>). See portal/lib/timezone.py.
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers files for whitenoise to serve.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
# Uploaded photos and documents; on shared storage when several app servers run.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Private uploads (dossier documents): never under a public URL, served only by views
# that check access. Keep it off the web server's document root.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))

# --- Member records: access log and exports ----------------------------------------------

# Days an access-log row is kept; `manage.py purge_access_log` archives (under
# PRIVATE_MEDIA_ROOT/archives/access-log/) and deletes older rows. Two years: see
# docs/members.md, "Retention of the access log", for why (PIPL art. 19).
# The Cybersecurity Law (art. 21) asks for at least six months of logs: 183 days minimum.
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 730, minimum=183)
# Hours a finished member-records export is offered to its requester before deletion.
EXPORT_DOWNLOAD_HOURS = env_int("EXPORT_DOWNLOAD_HOURS", 24, minimum=1)
# Hashed, compressed static files in production; plain files when DEBUG or tests ask.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    # Uploads are written to a hidden partial file first: a full disk leaves nothing behind.
    "default": {"BACKEND": "portal.lib.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Backups (manage.py backup_portal / restore_portal; docs/operations.md) ------------

# Folder for the backup archives; keep it on another disk, and copy it off the machine.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
# How many archives backup_portal keeps (0: all). The encryption key is read only by the
# backup commands, from BACKUP_KEY or the file named by BACKUP_KEY_FILE, never stored here.
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)

# --- Mail -------------------------------------------------------------------------------

# Mail backend: console in development, SMTP in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "driverhome@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notices (docs/notices.md) ----------------------------------------------------------

# The site's public address, for links to staff pages in e-mails and work-chat messages.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Seconds a webhook or SMS provider may take to answer before the worker gives up on a try.
NOTICE_HTTP_TIMEOUT = env_int("NOTICE_HTTP_TIMEOUT", 10, minimum=1)
# Tries before a notice is marked "failed"; the wait between tries starts at
# NOTICE_RETRY_SECONDS and doubles each time, up to NOTICE_RETRY_MAX_SECONDS.
NOTICE_MAX_ATTEMPTS = env_int("NOTICE_MAX_ATTEMPTS", 6, minimum=1)
NOTICE_RETRY_SECONDS = env_int("NOTICE_RETRY_SECONDS", 60, minimum=1)
NOTICE_RETRY_MAX_SECONDS = env_int("NOTICE_RETRY_MAX_SECONDS", 3600, minimum=1)
# How long a worker's claim on a notice lasts; a crashed worker's notices are taken over after it.
NOTICE_LEASE_SECONDS = env_int("NOTICE_LEASE_SECONDS", 300, minimum=30)
# Days sent, failed and cancelled notices stay in the outbox (the admin's record).
NOTICE_RETENTION_DAYS = env_int("NOTICE_RETENTION_DAYS", 30, minimum=1)
# Text messages to drivers who opted in: the backend (the console one logs them; production
# sets notices.sms.AliyunSmsBackend) and at most this many per request in 24 hours.
SMS_BACKEND = env_str("SMS_BACKEND", "notices.sms.ConsoleSmsBackend")
SMS_PER_REQUEST_PER_DAY = env_int("SMS_PER_REQUEST_PER_DAY", 4, minimum=1)
# Alibaba Cloud SMS (notices.sms.AliyunSmsBackend): endpoint, AccessKey, approved signature,
# and approved template codes per message kind, optionally per language
# ("received=SMS_1,transferred=SMS_2,started=SMS_3,resolved=SMS_4,received.vi=SMS_5").
SMS_ENDPOINT = env_str("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
SMS_REGION = env_str("SMS_REGION", "cn-hangzhou")
SMS_ACCESS_KEY_ID = env_str("SMS_ACCESS_KEY_ID", "")
SMS_ACCESS_KEY_SECRET = env_str("SMS_ACCESS_KEY_SECRET", "")
SMS_SIGN_NAME = env_str("SMS_SIGN_NAME", "")
SMS_TEMPLATES = env_str("SMS_TEMPLATES", "")
# The secret last part of the address the provider posts drivers' replies to
# (/notices/sms/replies/<token>); empty turns the address off.
SMS_CALLBACK_TOKEN = env_str("SMS_CALLBACK_TOKEN", "")

# --- Security headers -------------------------------------------------------------------

# Redirect plain HTTP to HTTPS (the proxy must send X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS lifetime in seconds; 0 turns it off (development).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True

# Map tile URL template; its host is allowed by the Content-Security-Policy. Leaflet fills
# {z}/{x}/{y}, {s} from MAP_TILES_SUBDOMAINS and {key} from MAP_TILES_KEY.
MAP_TILES_URL = env_str("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
# Subdomains substituted for {s}, as one string of letters or digits ("abc", "1234").
MAP_TILES_SUBDOMAINS = env_str("MAP_TILES_SUBDOMAINS", "")
# Attribution the tile provider requires; shown on every map.
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION", "© OpenStreetMap")
# Browser key some providers (Tianditu, AMap) want in the tile URL as {key}; it is public.
MAP_TILES_KEY = env_str("MAP_TILES_KEY", "")
# Map review number (审图号) of a licensed base map, added to the attribution when set.
MAP_TILES_REVIEW_NUMBER = env_str("MAP_TILES_REVIEW_NUMBER", "")
# Coordinate system the tiles are drawn in: wgs84 (OpenStreetMap, Tianditu) or gcj02
# (AMap/Gaode, Tencent). With gcj02, markers and route lines are shifted for display.
MAP_TILES_CRS = env_str("MAP_TILES_CRS", "wgs84").strip().lower()
if MAP_TILES_CRS not in {"wgs84", "gcj02"}:
    raise ImproperlyConfigured(f"MAP_TILES_CRS must be wgs84 or gcj02, got {MAP_TILES_CRS!r}")


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    # Tile hosts such as {s}.tile.example.org or webrd0{s}.example.com: a CSP wildcard
    # may only stand for a whole leftmost label.
    first, dot, others = host.partition(".")
    if "{" in first:
        host = "*" + dot + others
    return f"{scheme}://{host}" if scheme and host else ""


_tile_origin = _origin(MAP_TILES_URL)

# Content-Security-Policy: scripts only from this site or with the per-response nonce.
# Leaflet sets element styles from script, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"] + ([_tile_origin] if _tile_origin else []),
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Along the road (stations; docs/stations.md) -----------------------------------------

# A station farther than this from a route line (metres) is not "on" that route; a driver
# farther than this from every line is offered the nearby page. Changing it needs
# `manage.py rebuild_route_positions`.
ROUTE_MAX_OFFSET_M = env_int("ROUTE_MAX_OFFSET_M", 2000, minimum=1)
# Average speed (km/h) behind the rough driving times on the "stations ahead" page.
ROAD_AVERAGE_SPEED_KMH = env_int("ROAD_AVERAGE_SPEED_KMH", 50, minimum=1)

# --- Help requests and micro-wishes (helpdesk) ------------------------------------------

# Public form limits as "count/seconds", shared by every worker through the cache.
# A count of 0 switches a limit off (load tests only).
HELP_RATE_PER_IP = env_str("HELP_RATE_PER_IP", "5/600")
HELP_RATE_PER_PHONE = env_str("HELP_RATE_PER_PHONE", "3/86400")
HELP_TRACK_RATE_PER_IP = env_str("HELP_TRACK_RATE_PER_IP", "10/600")
# Wrong tracking tries per code, from all addresses together: the first
# HELP_TRACK_FREE_TRIES go at once, then each further try waits HELP_TRACK_FIRST_DELAY
# seconds, doubling up to HELP_TRACK_MAX_DELAY; the count is forgotten
# HELP_TRACK_FORGET_AFTER seconds after the last wrong try. The rightful driver never
# waits longer than the longest delay (and is told to call).
HELP_TRACK_FREE_TRIES = env_int("HELP_TRACK_FREE_TRIES", 5)
HELP_TRACK_FIRST_DELAY = env_int("HELP_TRACK_FIRST_DELAY", 30, minimum=1)
HELP_TRACK_MAX_DELAY = env_int("HELP_TRACK_MAX_DELAY", 900, minimum=1)
HELP_TRACK_FORGET_AFTER = env_int("HELP_TRACK_FORGET_AFTER", 3600, minimum=1)
# Seconds a person needs at least to fill a public form; faster posts are treated as bots.
HELP_MIN_FILL_SECONDS = env_int("HELP_MIN_FILL_SECONDS", 3)
# Public holidays (ISO dates) and make-up working weekend days that deadlines respect.
CARE_HOLIDAYS = env_list("CARE_HOLIDAYS", [])
CARE_EXTRA_WORKDAYS = env_list("CARE_EXTRA_WORKDAYS", [])
# Urgent and rescue requests: every step after the transfer is due this many hours later,
# wall clock (nights, weekends and holidays count): first feedback, resolution, call back.
HELP_URGENT_FEEDBACK_HOURS = env_int("HELP_URGENT_FEEDBACK_HOURS", 2, minimum=1)
HELP_URGENT_RESOLVE_HOURS = env_int("HELP_URGENT_RESOLVE_HOURS", 24, minimum=1)
HELP_URGENT_FOLLOW_UP_HOURS = env_int("HELP_URGENT_FOLLOW_UP_HOURS", 24, minimum=1)

# --- Live station status (stations) -------------------------------------------------------

# Minutes after which a parking report is shown as "unknown": nobody drives to a stale "plenty".
PARKING_FRESH_MINUTES = env_int("PARKING_FRESH_MINUTES", 90, minimum=1)
# Drivers' parking reports and corrections as "count/seconds" per address, and per station
# from all addresses together; a count of 0 switches a limit off.
STATION_REPORT_RATE_PER_IP = env_str("STATION_REPORT_RATE_PER_IP", "5/600")
STATION_REPORT_RATE_PER_STATION = env_str("STATION_REPORT_RATE_PER_STATION", "30/600")

# --- Open311 partner channel (open311) ---------------------------------------------------

# Calls per API key as "count/seconds", every endpoint together; "0/60" switches it off.
OPEN311_RATE_PER_KEY = env_str("OPEN311_RATE_PER_KEY", "120/60")

# --- Logging ----------------------------------------------------------------------------

# Log level for the portal's own loggers.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "portal": {"level": LOG_LEVEL},
        "stations": {"level": LOG_LEVEL},
        "members": {"level": LOG_LEVEL},
        "accounts": {"level": LOG_LEVEL},
        "events": {"level": LOG_LEVEL},
        "helpdesk": {"level": LOG_LEVEL},
    },
}

# --- Leaflet ----------------------------------------------------------------------------

# Map centred on Fangchenggang; tiles from MAP_TILES_URL.
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (21.61, 108.35),
    "DEFAULT_ZOOM": 10,
    "MIN_ZOOM": 5,
    "MAX_ZOOM": 18,
    "TILES": [
        (
            _("Map"),
            MAP_TILES_URL,
            {
                "attribution": " · ".join(
                    part for part in (MAP_TILES_ATTRIBUTION, MAP_TILES_REVIEW_NUMBER) if part
                ),
                "maxZoom": 18,
                **({"subdomains": MAP_TILES_SUBDOMAINS} if MAP_TILES_SUBDOMAINS else {}),
                **({"key": MAP_TILES_KEY} if MAP_TILES_KEY else {}),
            },
        )
    ],
    "RESET_VIEW": False,
}
