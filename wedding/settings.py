"""Confetti settings: one module, every knob an environment variable.

Development works with no variables at all (SQLite file, in-memory channel
layer). With DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be set or the
process refuses to start. `.env.example` lists every variable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-confetti-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",  # first, so runserver serves ASGI (HTTP + WebSockets)
    "wedding.dashboard.admin_site.ConfettiAdminConfig",  # django.contrib.admin whose index is the live dashboard
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    # The tenant core first, then realtime, then the features, then the dashboard that composes them.
    "wedding.core",
    "realtime",
    "guests",
    "rsvp",
    "seating",
    "guests.importexport",  # the guest list in and out: above guests, rsvp and seating
    "wedding.moderation",
    "wedding.songs",
    "wedding.photos",
    "wedding.guestbook",
    "wedding.tributes",
    "django_tasks_db",  # the task queue's tables and its `db_worker` command
    "wedding.messaging",
    "wedding.site",  # the couple's pages, calendar files and maps on the guest site
    "wedding.dashboard",
]

# The project's middleware are sync-only, so under daphne Django runs the whole chain (its own
# middleware too) in sync mode, in the request's own thread (asgiref gives each request one:
# ThreadSensitiveContext), entered once and left once; in async mode each of Django's would hop
# to that thread and back for its request and its response, about twenty hops a page
# (bench/README.md "One thread stretch a request"; tests/wedding/test_middleware_chain.py).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",  # SECURE_CSP below
    # Serves /static/ (daphne serves no files); after SecurityMiddleware so the
    # HTTPS redirect and security headers apply to static files too.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The visitor's language (cookie, Accept-Language); WeddingLocaleMiddleware below refines it
    # with the household's choice or the wedding's default once the guest is known.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "guests.session.GuestSessionMiddleware",
    # The wedding's language and time zone for guest and planner requests (wedding/core/i18n.py).
    "wedding.core.i18n.WeddingLocaleMiddleware",
    "realtime.context.ActorMiddleware",
    "wedding.core.atomic.AtomicWritesMiddleware",  # last: unsafe-method views in one transaction
]

ROOT_URLCONF = "wedding.urls"
ASGI_APPLICATION = "wedding.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",  # LANGUAGES for the guest language switch
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["realtime.templatetags.live", "wedding.core.templatetags.translated"],
        },
    },
]

# --- database -------------------------------------------------------------
# SQLite file by default; DATABASE_URL (postgres://...) switches to PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# CONN_MAX_AGE (seconds): keep a thread's connection between requests and socket
# handshakes (each handshake hops to a thread 2–3 times; a new SQLite connection
# with its PRAGMAs was a fifth of a connect's CPU, bench/README.md "Reconnect storm").
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")), conn_health_checks=True
    )
}
# Django's backend of that name, writing the change log as a transaction commits (realtime.db).
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.sqlite3": "realtime.db.sqlite3",
    "django.db.backends.postgresql": "realtime.db.postgresql",
}[DATABASES["default"]["ENGINE"]]
if DATABASES["default"]["ENGINE"] == "realtime.db.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue
    # instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The test DB is a file (not pytest-django's in-memory default) so the real
    # daphne processes of the browser/integration tests can share it; one per process.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get(
            "TEST_DATABASE_NAME", str(Path(tempfile.gettempdir()) / f"test_confetti_{os.getpid()}.sqlite3")
        )
    }
else:
    # PostgreSQL: Django's psycopg pool (psycopg-pool), shared by the process's threads. Every
    # database_sync_to_async hop and request returns its connection at its end, so a render costs
    # no connect (was 40 % of it, bench/README.md "Invitation rush") and DATABASE_POOL_MAX_SIZE
    # bounds what one daphne process opens; a thread waits up to DATABASE_POOL_TIMEOUT seconds
    # for one instead of PostgreSQL refusing "too many clients". Opt-in (0, the default, is no
    # pool): .env.example and deploy/ set 10. The test suite runs without it (its fixtures end
    # PostgreSQL sessions under the process); tests/test_db_pool.py runs it in processes of its own.
    pool_max = int(os.environ.get("DATABASE_POOL_MAX_SIZE", "0"))
    if pool_max > 0:
        from psycopg_pool import ConnectionPool
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections (Django refuses both)
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, pool_max),
            "max_size": pool_max,
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
            # A connection is checked as it leaves the pool: one PostgreSQL ended (a restart, a
            # failover, pg_terminate_backend) is replaced instead of failing the request.
            "check": ConnectionPool.check_connection,
        }
    # Server-side binding, so psycopg prepares a query its connection has run DATABASE_PREPARE_THRESHOLD
    # times (psycopg's default, 5): PostgreSQL then skips parsing and planning it. The rush's pages are
    # the same few dozen queries over and over; PostgreSQL's CPU a household halved, its share of a
    # core in the rush fell by a third (bench/README.md "Prepared statements on PostgreSQL"). "off":
    # Django's default, client-side binding, for a pooler in transaction mode (PgBouncer) that
    # cannot keep a connection's prepared statements.
    prepare_threshold = os.environ.get("DATABASE_PREPARE_THRESHOLD", "5").strip().lower()
    if prepare_threshold != "off":
        if not prepare_threshold.isdigit():
            raise ImproperlyConfigured(
                f"DATABASE_PREPARE_THRESHOLD must be a number of runs (0 or more) or 'off', not {prepare_threshold!r}."
            )
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": int(prepare_threshold)}
        )
    # Parallel test runs (several pytest processes) must not share a test DB.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_DATABASE_NAME", f"test_confetti_{os.getpid()}")
    }
# No ATOMIC_REQUESTS: wedding.core.atomic.AtomicWritesMiddleware makes POST/PUT/PATCH/DELETE views
# atomic and leaves reads in autocommit (on SQLite a read no longer holds the write lock).
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- channel layer ----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# channels-redis waits for a hub's next message with a 5 s BRPOP (RedisChannelLayer.brpop_timeout),
# and redis-py 8 times out every socket read after 5 s unless told otherwise: each quiet 5 s the
# hub's receive failed with TimeoutError and it dropped to "channel layer lost" (local writes
# only, then a resync of every socket). A read may now outlast the BRPOP; a dead connection is
# still noticed after this long.
REDIS_LAYER_SOCKET_TIMEOUT = float(os.environ.get("REDIS_LAYER_SOCKET_TIMEOUT", "15"))


def redis_channel_layers(url: str, **config) -> dict:
    """CHANNEL_LAYERS for channels-redis on `url` (the tests build theirs with it too)."""
    host = {"address": url, "socket_timeout": REDIS_LAYER_SOCKET_TIMEOUT}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [host], "capacity": 1000, "expiry": 30, **config},
        }
    }


if REDIS_URL:
    CHANNEL_LAYERS = redis_channel_layers(REDIS_URL)
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Seconds a publish may take before it is abandoned (the write never waits longer).
REALTIME_PUBLISH_TIMEOUT = float(os.environ.get("REALTIME_PUBLISH_TIMEOUT", "0.5"))
# Fan-out frames are framed once and written straight to daphne's connections
# (realtime/transport.py); off: every frame through the ASGI send (slower, same frames).
REALTIME_DIRECT_WRITES = env_bool("REALTIME_DIRECT_WRITES", True)
# What one client may cost (realtime/limits.py): open sockets per planner user or household and
# per client address (over a cap: closed 1013, retry later), unread bytes queued for one socket
# before it is dropped, seconds between two runs of one socket's resync (or repeated hello).
REALTIME_MAX_SOCKETS_PER_PRINCIPAL = int(os.environ.get("REALTIME_MAX_SOCKETS_PER_PRINCIPAL", "20"))
REALTIME_MAX_SOCKETS_PER_ADDRESS = int(os.environ.get("REALTIME_MAX_SOCKETS_PER_ADDRESS", "100"))
REALTIME_SEND_BUFFER_MAX = int(os.environ.get("REALTIME_SEND_BUFFER_MAX", str(4 * 1024 * 1024)))
REALTIME_RESYNC_INTERVAL = float(os.environ.get("REALTIME_RESYNC_INTERVAL", "2.0"))

# --- auth, i18n, static, media ---------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
if "PYTEST_VERSION" in os.environ:
    # The test run (and the daphne servers it starts, which inherit its environment): a fast
    # hasher, since factories and logins hash passwords thousands of times. Never in production.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
# The guest site and guest emails speak these; a wedding picks its default, a household may switch.
# Planner-only pages stay English. Messages: <app>/locale/ and locale/ (`compilemessages` builds .mo).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Third-party browser code comes from npm packages (package.json: `npm ci`), served
# under static/vendor/<package>/; pages fall back gracefully when it is absent, so
# without node_modules the folder is left out (no staticfiles.W004 in `check --deploy`).
NODE_MODULES = BASE_DIR / "node_modules"
# Only the packages pages load (package.json "dependencies"); devDependencies such as axe-core
# (the browser tests inject it from node_modules) are neither collected nor served.
BROWSER_PACKAGES = ("idiomorph", "sortablejs")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    *[(f"vendor/{name}", NODE_MODULES / name) for name in BROWSER_PACKAGES if (NODE_MODULES / name).is_dir()],
]
# `manage.py collectstatic` copies every static file here; WhiteNoise serves them.
# `or`: an empty STATIC_ROOT= (as in .env.example) means the default, not the working directory.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production links content-hashed names (cached for a year, gzip-compressed) and
    # needs `collectstatic` first: a page naming a file that was not collected fails
    # loudly. Development and tests (DEBUG on when settings load) link plain names.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Tied to DEBUG as the environment sets it, not as pytest-django flips it: development
# and tests find files in the app folders per request (nothing to collect); production
# indexes STATIC_ROOT once at start.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
# Guests' photos: outside MEDIA_ROOT (never served as plain files), served by a view that checks
# moderation and the viewer. PHOTO_ACCEL_PREFIX: an nginx `internal` location aliased to PHOTO_ROOT,
# so the view answers with X-Accel-Redirect and nginx sends the bytes.
PHOTO_ROOT = Path(os.environ.get("PHOTO_ROOT") or BASE_DIR / "private_media")
PHOTO_ACCEL_PREFIX = os.environ.get("PHOTO_ACCEL_PREFIX", "")


def media_storage(environ: dict[str, str]) -> dict:
    """The STORAGES["default"] entry for uploaded photos: local disk unless MEDIA_STORAGE=s3.

    With s3, photos live in one S3-compatible bucket (django-storages) that every
    machine of a deployment shares; links are signed and expire unless the bucket
    is public (AWS_QUERYSTRING_AUTH=false). A missing bucket name fails at start.
    """
    kind = (environ.get("MEDIA_STORAGE") or "local").strip().lower()
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'local' or 's3', not {kind!r}.")
    if not environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    options = {
        "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"],
        # Unset: AWS itself; any S3-compatible store (MinIO, Garage, Ceph, R2...) by URL.
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("AWS_S3_REGION_NAME") or None,
        # Unset keys: boto3 finds credentials itself (instance role, ~/.aws).
        "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "location": environ.get("AWS_LOCATION", "media"),
        "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
        # Two guests' "IMG_0001.jpg" must never replace each other.
        "file_overwrite": False,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES["default"] = media_storage(dict(os.environ))

# Development prints emails; production sends them over SMTP (EMAIL_HOST, EMAIL_PORT) unless told otherwise.
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "timeout": float(os.environ.get("EMAIL_TIMEOUT", "20")),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Confetti <rsvp@localhost>")

# --- background tasks and guest messaging (wedding.messaging) -------------------
# Django's tasks framework with a durable queue in the database (django-tasks-db);
# `manage.py messaging_worker` runs it (`make run` starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Worker processes one `manage.py messaging_worker` runs (photos are made this many at a time).
TASK_WORKER_PROCESSES = int(os.environ.get("TASK_WORKER_PROCESSES", "1"))
# Where guests' links in emails point (personal invitation link, unsubscribe).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# django-anymail (EMAIL_BACKEND=anymail.backends.<esp>.EmailBackend): its settings from ANYMAIL_* variables.
ANYMAIL = {key.removeprefix("ANYMAIL_"): value for key, value in os.environ.items() if key.startswith("ANYMAIL_")}
MESSAGING_MAILER = os.environ.get("MESSAGING_MAILER", "default")  # a MAILERS alias (anymail works here too)
MESSAGING_RATE_PER_MINUTE = int(os.environ.get("MESSAGING_RATE_PER_MINUTE", "300"))  # per wedding
MESSAGING_BATCH_SIZE = int(os.environ.get("MESSAGING_BATCH_SIZE", "50"))  # copies per SMTP connection
MESSAGING_MAX_ATTEMPTS = int(os.environ.get("MESSAGING_MAX_ATTEMPTS", "5"))
MESSAGING_RETRY_BASE_SECONDS = float(os.environ.get("MESSAGING_RETRY_BASE_SECONDS", "60"))
# A worker silent this long on a claimed copy is presumed dead (must exceed the SMTP timeout).
MESSAGING_CLAIM_LEASE_SECONDS = float(os.environ.get("MESSAGING_CLAIM_LEASE_SECONDS", "120"))
MESSAGING_MESSAGE_ID_DOMAIN = (
    os.environ.get("MESSAGING_MESSAGE_ID_DOMAIN") or DEFAULT_FROM_EMAIL.rpartition("@")[2].rstrip(">") or "confetti.local"
)

# Uploads: limits checked again by content in the upload services.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", str(15 * 1024 * 1024)))
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", str(40_000_000)))

# --- caches (rate limiting) --------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# Self-serve sign-up at /admin/signup/: a couple creates an account and their first wedding
# without a superuser. Off by default (the page answers 404).
CONFETTI_SIGNUP = env_bool("CONFETTI_SIGNUP", False)
if env_bool("BEHIND_PROXY", False):
    # Behind a proxy every guest would share REMOTE_ADDR (and one throttle): key on the
    # client address the proxy reports instead.
    RATELIMIT_IP_META_KEY = "wedding.proxy.client_ip"
# How many reverse proxies append to X-Forwarded-For in front of daphne (load balancer = 1,
# CDN + load balancer = 2); the client is that many entries from the right (wedding/proxy.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))

# --- security (production) -----------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (Django's own): pages load only their own static scripts — no inline
# script, no on*= handler, no eval. Style: stylesheets only from here; style="" attributes are
# allowed because server-computed positions and widths (seating chart, progress bars) use them.
# connect-src: 'self' covers the live socket (ws/wss of this origin) in CSP3 browsers; the
# explicit ws(s) sources of ALLOWED_HOSTS cover the rest.
_SOCKET_SOURCES = [
    f"{scheme}://{host}:*"
    # CSP host sources cannot name an IPv6 literal or a wildcard-suffix host: 'self' covers those.
    for host in ALLOWED_HOSTS if host and "*" not in host and not host.startswith((".", "["))
    for scheme in (("ws", "wss") if DEBUG else ("wss",))
]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF, *_SOCKET_SOURCES],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"daphne": {"level": "WARNING"}, "django.channels.server": {"level": "WARNING"}},
}
