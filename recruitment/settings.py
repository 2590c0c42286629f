"""The one settings module: everything that differs between machines comes
from the environment (see .env.example and the README's settings table).

No DATABASE_URL means SQLite in var/, no REDIS_URL means Celery tasks run in
the web process, no EMAIL_URL means emails go to the console and var/mail/:
so `make run` needs no services. Production secrets have no default.
"""

from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV", default=True):
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    try:
        SECRET_KEY = env("SECRET_KEY")
        ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    except ImproperlyConfigured as error:
        raise ImproperlyConfigured(
            f"{error}. With DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be set."
        ) from None

# Links in emails: `make run` serves on PORT (default 8000), so without a
# SITE_URL they point at that port.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}").rstrip("/")
FORCE_NAME = env("FORCE_NAME", default="Hertfordshire Constabulary")
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default=f"{FORCE_NAME} recruitment <recruitment@example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The team candidates can ask: shown in the footer of every page and email,
# and on a registration's own page. No phone number: none is shown.
CONTACT_EMAIL = env("CONTACT_EMAIL", default=parseaddr(DEFAULT_FROM_EMAIL)[1])
CONTACT_PHONE = env("CONTACT_PHONE", default="")
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=12)

INSTALLED_APPS = [
    # The admin, with the site that asks every staff login for a second factor.
    "staff.admin_config.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "csp",
    "core",
    "emails",
    "events",
    "mentoring",
    "alerts",
    "equality",
    "privacy",
    "staff",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their caching), before the rest,
    # so it sees every page Django makes: core/middleware.py.
    "core.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Login lockout (django-axes), all in one place: 10 failures lock a username
# for 30 minutes from every address (so spreading guesses over many addresses
# gains nothing), and LOGIN_ADDRESS_FAILURE_LIMIT failures (default 50) from
# one address lock that address for every username: higher, because a whole
# office may sign in from behind one NAT address (core.lockout.LockoutHandler
# keeps the two limits). A failure is a wrong password, a wrong second-factor
# code or a failed passkey (staff/two_factor.py reports those to axes). Only a complete sign-in, the
# password and then the second factor, clears that username's count: a right
# password alone does not. Unlock early with `manage.py axes_reset_username
# EMAIL` (README: Staff guide). Its middleware goes last and its backend
# first, as axes requires.
# The address is the client's full address (core.lockout.client_ip), not
# its IPv6 /64 as for the public forms' rate limits: the per-username lock
# is what stops a guesser who changes address; the full address is what
# axes_reset_ip and the attempts list show the operator.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 10  # per username
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
if LOGIN_ADDRESS_FAILURE_LIMIT < 1:
    raise ImproperlyConfigured("LOGIN_ADDRESS_FAILURE_LIMIT must be 1 or more.")
AXES_HANDLER = "core.lockout.LockoutHandler"
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "core.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_ip"
AXES_USERNAME_CALLABLE = "core.lockout.client_username"
# Attempts are stored with what was sent: never a password or a code.
AXES_SENSITIVE_PARAMETERS = ["code", "csrfmiddlewaretoken"]

# The second factor (staff/): an authenticator app (TOTP), a passkey
# (WebAuthn) where the browser has one, and single-use recovery codes. A
# passkey is only ever a second factor, never a way in without the password.
OTP_TOTP_ISSUER = f"{FORCE_NAME} recruitment"
OTP_WEBAUTHN_RP_NAME = f"{FORCE_NAME} recruitment"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Passkeys belong to the site's host name. Under `make run` (SITE_URL on
# 127.0.0.1, which browsers refuse as a passkey's domain) they work at
# http://localhost:PORT instead.
_site = urlsplit(SITE_URL)
OTP_WEBAUTHN_RP_ID = _site.hostname
if _site.hostname in ("127.0.0.1", "::1"):
    OTP_WEBAUTHN_RP_ID = "localhost"
_port = f":{_site.port}" if _site.port else ""
OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"{_site.scheme}://{OTP_WEBAUTHN_RP_ID}{_port}"]

ROOT_URLCONF = "recruitment.urls"
WSGI_APPLICATION = "recruitment.wsgi.application"

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
                "core.context_processors.site",
            ],
        },
    },
]

# Database: PostgreSQL in production and CI, SQLite for `make run`.
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
else:
    # Writers wait for the lock instead of failing at once under `make run`.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.GuardedRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered public pages (core/pages.py), in each process's own memory: their
# keys hold every value they show, so no process can serve another's stale
# copy, and a page costs no round trip to Redis.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "OPTIONS": {"MAX_ENTRIES": 1000},
}

# Celery: Redis as broker; without REDIS_URL every task runs in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A send already under way when the broker connection drops finishes (and
# records its outcome on the row) rather than being cancelled and redelivered
# later; said explicitly, as Celery 6 changes the default.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Reuse a worker's database connection across tasks (Celery's Django fixup
# otherwise opens one per task: make bench measured 100 against 180 emails a
# second). recruitment/celery.py drops broken connections before each task.
CELERY_DB_REUSE_MAX = 1000
CELERY_TIMEZONE = "UTC"
# A web request that enqueues must never hang on a broker that is down or
# silent: short socket timeouts, one immediate reconnection attempt, and the
# beat sweeper sends what was missed. Measured: a refused connection fails in
# well under a second, a Redis that accepts but never answers in about two.
# socket_timeout stays above kombu's one-second BRPOP so workers can wait.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "visibility_timeout": 3600,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    # A worker consuming several queues (-Q transactional,celery,bulk) always
    # asks them in that order, so it takes a bulk email only when no
    # transactional one waits (kombu's default takes them in turn).
    "queue_order_strategy": "priority",
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Every minute; a run a worker could not pick up within the minute is
# dropped, so a worker that was down does not come back to a pile of sweeps.
CELERY_BEAT_SCHEDULE = {
    "record-heartbeat": {"task": "core.record_heartbeat", "schedule": 60.0},
    "sweep-outbox": {
        "task": "emails.sweep_outbox",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "queue-due-reminders": {
        "task": "events.queue_due_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Starts an alert run for each newly published event (and hands over
    # stalled ones); the run itself is a separate task, however long it takes.
    "start-event-alerts": {
        "task": "alerts.start_event_alerts",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Moves pooled equality answers into the report's table in shuffled
    # batches and closes the answers of events whose registration closed: the
    # pool is the one place answers can be matched to registrations, so often.
    "flush-equality-answers": {
        "task": "equality.flush_answer_pool",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Hourly: unconfirmed subscriptions go after seven days, lapsed ones are
    # asked once and removed thirty days later; an hour late is within that.
    "apply-alert-retention": {
        "task": "alerts.apply_retention",
        "schedule": 60 * 60.0,
        "options": {"expires": 30 * 60},
    },
    # Daily: personal data RETENTION_MONTHS after each event (PRODUCT.md part 8).
    "anonymise-past-registrations": {
        "task": "events.anonymise_past_registrations",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 60 * 60},
    },
    "clear-expired-sessions": {
        "task": "core.clear_expired_sessions",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 60 * 60},
    },
    "erase-old-emails": {
        "task": "emails.erase_old_emails",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 60 * 60},
    },
    # Daily, not every minute: erasing a day late is within the promise.
    "erase-expired-mentoring-requests": {
        "task": "mentoring.erase_expired_requests",
        "schedule": 24 * 60 * 60.0,
        "options": {"expires": 60 * 60},
    },
}

# Email: EMAIL_URL (smtp://user:password@host:587/?tls=True) or, when absent,
# the console and one .eml file per message in var/mail/.
if env.str("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
        # The same, writing messages out faster (emails/smtp.py).
        _email["EMAIL_BACKEND"] = "emails.smtp.EmailBackend"
    vars().update(_email)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
else:
    EMAIL_BACKEND = "core.mail.ConsoleAndFileBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# The Celery queue of each email lane (emails/lanes.py); the Procfile's
# worker consumes them with the default queue between: -Q transactional,celery,bulk.
EMAIL_QUEUES = {"transactional": "transactional", "bulk": "bulk"}
# The relay's limits, shared by every worker (emails/ratelimit.py): emails a
# minute and a day (UTC). 0: no limit of ours.
EMAIL_RATE = env.int("EMAIL_RATE", default=0)
EMAIL_DAILY_LIMIT = env.int("EMAIL_DAILY_LIMIT", default=0)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    BASE_DIR / "build",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
]
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

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.8.0"

CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# Content Security Policy: our own files only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Public forms (core/antispam.py): rate limits count in the cache and let
# everyone through when it is down. A form sent sooner than
# FORM_MIN_FILL_SECONDS after it was shown, or from a page older than
# FORM_MAX_AGE_SECONDS, comes back to be checked and sent again (0 turns
# the start-time check off).
RATELIMIT_FAIL_OPEN = True
FORM_MIN_FILL_SECONDS = 3
FORM_MAX_AGE_SECONDS = 4 * 60 * 60

# The site uses no powerful browser feature but passkeys (staff sign-in, on
# the site's own pages): deny the rest to every frame.
PERMISSIONS_POLICY = {
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
} | {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_ENGINE = "core.sessions"
SESSION_COOKIE_HTTPONLY = True
# Sessions carry only a confirmation message for candidates, and a sign-in
# for staff: both end when the browser closes.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 60 * 60
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# How many proxies stand in front of gunicorn, each appending to
# X-Forwarded-For (core.lockout.client_ip): 1 for the TLS proxy; 0 when
# clients connect straight to gunicorn (make run), so the header is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)

if not DEBUG:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Every handler takes secret links out of what it writes (core/redaction.py):
# Django logs the path of a 404 or a CSRF refusal, and runserver every
# request line. The "django" logger's own handlers (Django's defaults) are
# replaced, so nothing reaches a stream without the filter. Gunicorn's
# access log has its own logger class (core/gunicorn.py, in the Procfile).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "core.redaction.RedactSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
    },
}
