"""Settings, driven by the environment.

DATABASE_URL       default: a SQLite file beside manage.py (the embedded default for `make run`)
DJANGO_SECRET_KEY  required unless DJANGO_DEBUG is on: without it the site refuses to start
DJANGO_DEBUG       "1"/"true" for development (`make run` sets it); off unless asked for
DJANGO_ALLOWED_HOSTS  comma-separated
DJANGO_SITE_URL    the site's address, for links in emails (default http://127.0.0.1:8000)
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# --- Debug and secret key (deploy) -------------------------------------------------------------
# Development mode is only ever asked for (DJANGO_DEBUG=1, as `make run` does). Anything else is
# a deploy, and a deploy without its own secret refuses to start rather than sign sessions and
# password-reset links with a key anyone can read here.
DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. A deploy needs its own secret key: generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'. "
            "For local development set DJANGO_DEBUG=1 (`make run` does)."
        )
    SECRET_KEY = "django-insecure-local-development-only"
# --- end debug and secret key ------------------------------------------------------------------

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Search's trigram indexes (GinIndex); harmless on SQLite.
    "django.contrib.postgres",
    # Django's own widget templates for core.forms.FormRenderer, which also reads templates/.
    "django.forms",
    "django_htmx",
    "django_tasks_db",
    "core",
    "axes",
    "django_ratelimit",
    "accounts",
    "premium",
    "inmail",
    "demo",
]

MIDDLEWARE = [
    # First: the load balancer's /healthz needs no host check, HTTPS redirect, session or user.
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads the request's parameters or cookies (sessions, CSRF, views, the
    # admin); after CSP, so its 400 page carries the policy and the nonce.
    "core.middleware.RejectNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "core.middleware.AuthenticationMiddleware",
    "core.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A view refused by a rate limit raises Ratelimited: this answers it with our 429 page.
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into our 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

FORM_RENDERER = "core.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        # No "loaders": Django then wraps these in its cached loader, so each template is
        # compiled once per process (tests/config/test_settings.py asserts it).
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "inmail.context_processors.topbar",
            ],
        },
    },
]

DATABASES = {
    # An empty DATABASE_URL (`DATABASE_URL= make test`) is the default too.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for SQLite's lock when their transaction begins (waiting up to `timeout`
    # seconds) instead of failing with "database is locked" halfway through a credit spend.
    DATABASES["default"].setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
    # The test database is a file, not Django's in-memory default: in memory, threads share
    # one cache whose table locks fail at once ("database table is locked") instead of
    # waiting, so concurrent spends could not be tested. One file per test run (the pid), so
    # runs at the same time don't delete each other's database; each run deletes its own.
    DATABASES["default"]["TEST"] = {"NAME": BASE_DIR / f".pytest-sqlite-{os.getpid()}.sqlite3"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, checking a kept connection's health only after it sat idle (not with
    # a `SELECT 1` before every request): core/backends/postgresql/base.py.
    DATABASES["default"]["ENGINE"] = "core.backends.postgresql"
    # PostgreSQL's JIT compiles a plan whose estimated cost passes jit_above_cost, and the
    # pages' queries are over-costed (per-row subqueries counted for rows a LIMIT never
    # reaches): people search spent 730 ms compiling a 90 ms query. Off, as OLTP sites do.
    # core.queries.Compiled prepares a query to plan it once (below): its constants are
    # written into it, and a query whose best plan depends on its values (text matched with
    # LIKE) is not prepared. PostgreSQL's default would still plan one again on every run
    # while it estimates its one plan costlier than one for the values at hand, as it did
    # for home's suggestions at 100,000 members (1.7 ms of planning to run 0.6 ms, where the
    # one plan ran as fast). Only prepared statements are planned otherwise.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        "-c jit=off -c plan_cache_mode=force_generic_plan"
    )
    # Under ASGI (production's gunicorn.conf.py sets it) every request's thread and every live
    # event would otherwise open a connection of its own: a pool of this many per process,
    # which a request waits on (10 s at most) rather than overloading PostgreSQL.
    if pool_size := int(os.environ.get("DJANGO_DB_POOL_SIZE", "0")):
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them instead
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": pool_size,
            "timeout": 10,
        }
    # core.queries.Compiled prepares its queries (PostgreSQL then plans each once per
    # connection, not on every page), which psycopg allows only on a connection with a
    # prepare_threshold. Django's own cursors bind values into the SQL text and are never
    # prepared, and its default (None) is for transaction-mode poolers such as pgbouncer before
    # 1.21, which cannot keep prepared statements: DJANGO_DB_PREPARE=0 behind one of those.
    # Only on connections that are kept (a pool, CONN_MAX_AGE): preparing on a connection
    # closed after the request is one more round trip for nothing.
    kept = DATABASES["default"]["CONN_MAX_AGE"] != 0 or "pool" in DATABASES["default"]["OPTIONS"]
    if kept and env_bool("DJANGO_DB_PREPARE", default=True):
        # Never automatically: only what Compiled asks to prepare (psycopg's prepare=True).
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = sys.maxsize
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Member"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses every sign-in (even the right password) while
    # the account or the address is locked out, then MemberBackend checks the password.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.MemberBackend",
    # Only for the sessions signed in through it, before MemberBackend: MemberBackend refuses
    # every sign-in it does not accept for good, so this one never checks a password.
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# DATE_FORMAT and its kin: "Mar 14, 2026".
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# WhiteNoise serves the static files under every server. In development (uvicorn, DEBUG) it
# finds them where they are and sees changes; a deploy serves collectstatic's hashed copies.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Locally, emails (password resets) are printed to the console. In production set
# DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the DJANGO_EMAIL_* options.
_SMTP_OPTIONS = {
    "host": os.environ.get("DJANGO_EMAIL_HOST"),
    "port": int(os.environ["DJANGO_EMAIL_PORT"]) if os.environ.get("DJANGO_EMAIL_PORT") else None,
    "username": os.environ.get("DJANGO_EMAIL_USER"),
    "password": os.environ.get("DJANGO_EMAIL_PASSWORD"),
    "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", False) or None,
}
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
        ),
        "OPTIONS": {key: value for key, value in _SMTP_OPTIONS.items() if value is not None},
    }
}
# Background work (inmail.tasks, premium.tasks) on Django's tasks framework. django-tasks-db
# keeps the queue in the database: a task enqueued in a transaction commits or rolls back with
# it. The worker is `manage.py db_worker` (`make run` starts one beside the server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Links in emails point here (emails are sent outside any request).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "InMail <no-reply@inmail.local>")

# --- Security headers, cookies and HTTPS (deploy) ----------------------------------------------
# The Content-Security-Policy is the same in development, so a template that breaks it shows up
# in `make run` at once. Scripts come from our own static files, or carry the request's nonce;
# no inline script or style attribute runs, nothing may frame the site.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# htmx sends the CSRF token from the page (hx-headers on <body>): no script reads the cookie.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Lax, not Strict: a link from an email or another site must still open a signed-in page.
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, in core.models.Session: each is read with its member, through a
# query the ORM compiles once per process.
SESSION_ENGINE = "core.sessions"
# What a page's session is read with (core.sessions.read_ahead): its top bar's counts.
SESSION_READ_AHEAD = "inmail.selectors.topbar_annotations"

if not DEBUG:
    # Production sits behind a TLS-terminating proxy that sets X-Forwarded-Proto (README).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
# How long a client is told to wait (Retry-After) when the database does not answer.
OUTAGE_RETRY_AFTER = int(os.environ.get("DJANGO_OUTAGE_RETRY_AFTER", "30"))
# --- end security headers, cookies and HTTPS ---------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# --- Rate limits and sign-in lockout (issue 10 §2) -------------------------------------------
# REDIS_URL     the shared cache that holds the counters, e.g. redis://127.0.0.1:6379/0. Every
#               production deploy with more than one process needs it: without it each process
#               counts for itself in its own memory (fine for `make run`, which is one process).
# DJANGO_RATE_LIMIT_<NAME>  overrides one of RATE_LIMITS below, e.g. DJANGO_RATE_LIMIT_MESSAGE=100/h
# DJANGO_SIGNIN_FAILURE_LIMIT, DJANGO_SIGNIN_LOCKOUT_MINUTES  the sign-in lockout (10, 15)
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "core.shared_cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    # Rendered fragments (core.fragments): each process's own memory, even with Redis. Every
    # key names all that its fragment shows, so no fragment is ever invalidated and a copy
    # per process cannot go stale; read in the process, a page's dozen fragments cost no
    # round trips. DJANGO_FRAGMENT_CACHE_ENTRIES bounds it: a row or a top bar is about 1 KB,
    # a thread's 20 messages 5 KB (40 KB at the most, all of 2,000 characters), so 5,000
    # entries are 10 to 30 MB a process; when it is full, the oldest third goes.
    "fragments": {
        "BACKEND": "core.fragments.FragmentCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("DJANGO_FRAGMENT_CACHE_ENTRIES", "5000"))},
    },
}
# Both libraries warn that a process's own memory is not shared between processes: true, and
# why production sets REDIS_URL; `make run` is a single process.
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["axes.W001", "django_ratelimit.E003"]
# django-ratelimit's list of supported caches predates Django's own RedisCache (which
# core.shared_cache.RedisCache is, with one client per pool), whose incr is Redis's atomic
# INCR: the warning that it is "not officially supported" says nothing more.
SILENCED_SYSTEM_CHECKS += ["django_ratelimit.W001"]

# Live updates (core.live, inmail.stream): with REDIS_URL the events go through Redis pub/sub
# to every server process, on channels named LIVE_CHANNEL_PREFIX + member id; without it they
# stay in the process (`make run`). A stream sends a comment every LIVE_HEARTBEAT seconds when
# idle, and checks then that its session is still signed in.
LIVE_CHANNEL_PREFIX = os.environ.get("DJANGO_LIVE_CHANNEL_PREFIX", "inmail:live:")
LIVE_HEARTBEAT = float(os.environ.get("DJANGO_LIVE_HEARTBEAT", "15"))

# "count/period" as django-ratelimit reads it: s, m, h, d, and a multiplier ("100/7d" = a week).
# Each limit counts attempts, and a refused attempt stores nothing (core.limits).
RATE_LIMITS = {
    name: os.environ.get(f"DJANGO_RATE_LIMIT_{name.upper()}", default)
    for name, default in {
        "signup": "10/h",  # sign-ups per IP address
        "password_reset_email": "3/h",  # reset emails asked for one address
        "password_reset_ip": "20/h",  # reset emails asked from one IP address
        "invitation": "100/7d",  # invitations per member
        "message": "60/h",  # messages and InMails per member
        "open_profile": "30/d",  # free messages to Open Profiles per member
        "typing": "40/m",  # "is typing" signals per member (a page sends one every 3 s at most)
    }.items()
}
RATELIMIT_VIEW = "core.limits.rate_limited"
RATELIMIT_IP_META_KEY = "core.limits.client_ip"
RATELIMIT_HASH_ALGORITHM = "hashlib.sha256"

# django-axes: 10 failed sign-ins for one account (its lowercased email) OR from one IP address
# lock both out for 15 minutes; the counters live in the cache above, not in a table.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_SIGNIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_SIGNIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The sign-in form's field and authenticate()'s keyword; axes would default to "email".
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "core.limits.signin_email"
AXES_CLIENT_IP_CALLABLE = "core.limits.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.signin_locked_out"
# A lockout lasts AXES_COOLOFF_TIME from the failure that caused it; tries while locked don't
# extend it (they are refused anyway).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not wipe the counters: one working account must not reset an address that is
# spraying passwords at others.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# The counters are in the cache: axes' own tables stay empty, so their admin pages would too.
AXES_ENABLE_ADMIN = False
# --- end of rate limits ----------------------------------------------------------------------
