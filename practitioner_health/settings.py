"""Settings for every mode, read from the environment.

DJANGO_ENV selects the mode:
- ``embedded`` (default): SQLite in var/, keys generated into var/, messages to files,
  Celery on a filesystem transport so background jobs run without Redis.
- ``production``: everything from the environment; passes ``check --deploy``.
- ``test``: used by ``make test``; fixed test-only keys, PostgreSQL and Redis from the
  environment the test command sets up.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from .env import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)
from .keys import embedded_secrets

# Lets model and manager classes be subscripted for type checking (Manager["User"]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

ENV = env_choice("DJANGO_ENV", ("embedded", "production", "test"), "embedded")
PRODUCTION = ENV == "production"
TESTING = ENV == "test"
EMBEDDED = ENV == "embedded"

if EMBEDDED:
    _generated = embedded_secrets(VAR_DIR)
elif TESTING:
    # Fixed, test-only keys: the encryptor is built at import time, so tests need stable keys.
    # Production refuses to start without its own (env_str with no default below).
    _generated = {
        "SECRET_KEY": "test-only-secret-key-not-for-any-real-deployment-0123456789abcdef",
        "FIELD_ENCRYPTION_KEY": "6iNW-0KJ2k9c1tQKp4W5lq0cJ7x2M5H2xgM5Jb6t1nU=",
        "BLIND_INDEX_KEY": "test-only-blind-index-key",
    }
else:
    _generated = {}

SECRET_KEY = env_str("SECRET_KEY", _generated.get("SECRET_KEY"))
# Off in every mode unless asked for (DJANGO_DEBUG=1, for a developer's own machine): `make run`
# may be shown to anyone, and must answer with the service's own 404 and 500 pages, never a
# traceback or a list of every URL.
DEBUG = env_bool("DJANGO_DEBUG", False)

# Comma-separated, newest first: MultiFernet encrypts with the first and decrypts with any,
# so a new key is added at the front and `manage.py rotate_encryption_keys` re-encrypts.
# The package only rotates when given a list, hence the split here.
FIELD_ENCRYPTION_KEY = env_list(
    "FIELD_ENCRYPTION_KEY",
    [_generated["FIELD_ENCRYPTION_KEY"]] if "FIELD_ENCRYPTION_KEY" in _generated else None,
)
if not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set (comma-separated Fernet keys)")
# Keyed HMAC for "blind index" lookups of encrypted values (registration numbers, emails).
BLIND_INDEX_KEY = env_str("BLIND_INDEX_KEY", _generated.get("BLIND_INDEX_KEY"))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address the public reaches the service on: used in emails and to validate Twilio
# signatures (Twilio signs the URL it called, not the one behind the proxy).
PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_otp",
    "axes",
    "encrypted_model_fields",
    "practitioner_health.accounts",
    "practitioner_health.audit",
    "practitioner_health.notifications",
    "selfhelp",
    "referrals",
    "clinicians",
    "triage",
    "reporting",
    "demo",
    "rest_framework",
    "drf_spectacular",
    "api",
]

MIDDLEWARE = [
    "practitioner_health.audit.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Cache-Control: no-store on everything but public pages seen anonymously.
    "practitioner_health.caching.PrivateByDefaultMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "practitioner_health.accounts.middleware.IdleTimeoutMiddleware",
    "practitioner_health.audit.middleware.AuditActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, so it sees a view's database error first: a 503 "try again" page, not a traceback.
    "practitioner_health.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "practitioner_health.urls"
WSGI_APPLICATION = "practitioner_health.wsgi.application"

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
                "django.template.context_processors.csp",
                "practitioner_health.context_processors.service",
            ],
            "builtins": ["practitioner_health.crisis_tags"],
        },
    },
    # Emails, texts and voice scripts are plain text: HTML escaping would send "O&#x27;Brien".
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {"autoescape": False, "builtins": ["practitioner_health.crisis_tags"]},
    },
]

if TESTING or PRODUCTION:
    _default_db = None
else:
    _default_db = f"sqlite:///{VAR_DIR / 'practitioner_health.sqlite3'}"
DATABASES = {"default": database_from_url(env_str("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the background worker use the file at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Fast hashing keeps the suite quick; production and embedded mode use Argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
NHSUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
# The NHS.UK CSS refers to its fonts, icons and logos at /assets/: whitenoise serves the
# package's dist folder at the site root so those URLs resolve without rewriting the CSS.
WHITENOISE_ROOT = NHSUK_FRONTEND_DIR
# Outside production (no collectstatic step) whitenoise serves static files straight from
# the apps' and project's folders, with DEBUG on or off.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The shared cache: rate limits, API throttles and the reporting figures. On Redis it is one
# count across every web process and node; a Redis outage makes it behave as empty (limits
# open, figures counted afresh) rather than failing the page. The embedded default has no
# Redis and keeps a per-process cache.
CACHE_URL = env_str("CACHE_URL", env_str("REDIS_URL", ""))
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "ph",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    # Say so in the log when Redis is down (the connection error; keys hold no personal data).
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions: staff sessions end after 30 minutes idle (IdleTimeoutMiddleware); the cookie
# itself lasts the browser session at most.
SESSION_ENGINE = "practitioner_health.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
STAFF_IDLE_TIMEOUT = timedelta(minutes=env_int("STAFF_IDLE_TIMEOUT_MINUTES", 30, minimum=1))
PRACTITIONER_IDLE_TIMEOUT = timedelta(minutes=env_int("PRACTITIONER_IDLE_TIMEOUT_MINUTES", 30, minimum=1))

# Security headers: sent in every mode; the HTTPS-only ones in production.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    # Frutiger comes from the NHS font host where it is reachable; Arial otherwise.
    "font-src": [CSP.SELF, "https://assets.nhs.uk"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# Behind trusted reverse proxies (production's default), PROXY_COUNT of them: the client's
# address is read from X-Forwarded-For accordingly (practitioner_health.client_address), for
# audit rows, sign-in lockouts and rate limits alike. Otherwise the header is ignored.
BEHIND_PROXY = env_bool("BEHIND_PROXY", PRODUCTION)
PROXY_COUNT = env_int("PROXY_COUNT", 1, minimum=0) if BEHIND_PROXY else 0
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 63072000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None

# Two-factor authentication.
OTP_TOTP_ISSUER = "Practitioner Health"
OTP_EMAIL_TOKEN_VALIDITY = 600
OTP_TOTP_THROTTLE_FACTOR = 1

# Lockout after repeated failed logins, keyed by the hashed email so no address is stored.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# Locking by address too would let a few typos lock out a whole trust behind one NAT address;
# accounts are locked by (hashed) email instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "practitioner_health.accounts.lockout.username_for_lockout"
AXES_LOCKOUT_CALLABLE = "practitioner_health.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "practitioner_health.client_address.client_address"

# Throttles as (attempts, window in seconds), counted in the shared cache
# (practitioner_health.accounts.throttles). Per client address limits are generous: a whole
# hospital may reach us from one address.
SIGN_IN_RATE_LIMIT = (env_int("SIGN_IN_RATE_LIMIT", 100, minimum=1), 15 * 60)
PASSWORD_LINK_RATE_LIMIT_ACCOUNT = (env_int("PASSWORD_LINK_RATE_LIMIT_ACCOUNT", 5, minimum=1), 60 * 60)
PASSWORD_LINK_RATE_LIMIT_CLIENT = (env_int("PASSWORD_LINK_RATE_LIMIT_CLIENT", 30, minimum=1), 60 * 60)
CODE_EMAIL_RATE_LIMIT_ACCOUNT = (env_int("CODE_EMAIL_RATE_LIMIT_ACCOUNT", 5, minimum=1), 15 * 60)
CODE_EMAIL_RATE_LIMIT_CLIENT = (env_int("CODE_EMAIL_RATE_LIMIT_CLIENT", 100, minimum=1), 15 * 60)

# Email.
EMAIL_TRANSPORT = env_choice("EMAIL_TRANSPORT", ("smtp", "file", "console", "locmem"), "smtp" if PRODUCTION else "file")
EMAIL_OUTBOX_DIR = VAR_DIR / "outbox" / "email"
_EMAIL_OPTIONS: dict[str, dict[str, object]] = {
    "smtp": {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": 15,
    },
    "file": {"file_path": str(EMAIL_OUTBOX_DIR)},
    "console": {},
    "locmem": {},
}
MAILERS = {
    "default": {
        "BACKEND": f"django.core.mail.backends.{'filebased' if EMAIL_TRANSPORT == 'file' else EMAIL_TRANSPORT}.EmailBackend",
        "OPTIONS": _EMAIL_OPTIONS[EMAIL_TRANSPORT],
    }
}
# A neutral sender: nothing on a shared inbox or lock screen says what the service is.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PH Service <no-reply@ph-service.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# SMS and voice.
SMS_TRANSPORT = env_choice("SMS_TRANSPORT", ("twilio", "file"), "twilio" if PRODUCTION else "file")
SMS_FILE_PATH = VAR_DIR / "outbox" / "sms"
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "" if not PRODUCTION else None)
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "" if not PRODUCTION else None)
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "+440000000000" if not PRODUCTION else None)
# Twilio's API base, overridden in tests to a fake server on 127.0.0.1.
TWILIO_API_BASE = env_str("TWILIO_API_BASE", "")
TWILIO_HTTP_TIMEOUT = env_int("TWILIO_HTTP_TIMEOUT_SECONDS", 10, minimum=1)

# Celery: late acks and reject-on-lost so a killed worker's task runs again; sending is
# idempotent, so running again never duplicates a message.
_default_broker = "filesystem://" if EMBEDDED else None
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", env_str("REDIS_URL", _default_broker or ""))
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured("CELERY_BROKER_URL (or REDIS_URL) must be set")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    for sub in ("out", "processed", "control"):
        (_queue_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # The exchange tables too, which kombu would otherwise write to ./control.
        "control_folder": str(_queue_dir / "control"),
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Fail fast when Redis is down: the outbox row is already committed and the sweep
        # will enqueue it again, so a request must not hang waiting for the broker.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 1,
        "visibility_timeout": 3600,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "notifications-sweep": {
        "task": "notifications.sweep_due",
        "schedule": timedelta(minutes=1),
    },
    "accounts-purge-expired-sessions": {
        "task": "accounts.purge_expired_sessions",
        "schedule": crontab(minute=17),
    },
}

# Outbox retry policy: bounded exponential backoff.
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 6, minimum=1)
NOTIFICATION_BACKOFF_BASE_SECONDS = env_int("NOTIFICATION_BACKOFF_BASE_SECONDS", 30, minimum=1)
NOTIFICATION_BACKOFF_MAX_SECONDS = env_int("NOTIFICATION_BACKOFF_MAX_SECONDS", 3600, minimum=1)
# How long a message handed to the broker is left to its queued task before the sweep hands
# it over again (its task was lost, or its worker died mid-send).
NOTIFICATION_SWEEP_GRACE_SECONDS = env_int("NOTIFICATION_SWEEP_GRACE_SECONDS", 120, minimum=0)


# --- Clinicians (clinicians/): booking, reminders, availability ---------------------------
def _reminder_hours() -> list[int]:
    hours = []
    for item in env_list("APPOINTMENT_REMINDER_HOURS", ["48", "2"]):
        if not item.isdigit() or int(item) < 1:
            raise ImproperlyConfigured(f"APPOINTMENT_REMINDER_HOURS must be whole numbers of hours, not {item!r}")
        hours.append(int(item))
    return sorted(set(hours), reverse=True)


# Reminders go this many hours before each booked appointment (comma-separated).
APPOINTMENT_REMINDER_HOURS = _reminder_hours()
# Inside this many hours of the start, practitioners call the helpline to change or cancel.
BOOKING_CANCEL_CUTOFF_HOURS = env_int("BOOKING_CANCEL_CUTOFF_HOURS", 24, minimum=0)
# Video appointments get <VIDEO_BASE_URL>/<unguessable token>.
VIDEO_BASE_URL = env_str("VIDEO_BASE_URL", "https://video.ph-service.example/room")
# Slots are generated from weekly availability this many weeks ahead.
SLOT_GENERATION_WEEKS = env_int("SLOT_GENERATION_WEEKS", 8, minimum=1)
CELERY_BEAT_SCHEDULE.update(
    {
        "clinicians-send-reminders": {
            "task": "clinicians.send_reminders",
            "schedule": timedelta(minutes=5),
        },
        "clinicians-generate-slots": {
            "task": "clinicians.generate_slots",
            "schedule": crontab(hour=2, minute=30),
        },
    }
)
# --- end of Clinicians ---------------------------------------------------------------------

# The helpline's number as shown to practitioners in messages and pages.
HELPLINE_NUMBER = env_str("HELPLINE_NUMBER", "0300 030 3300")
SERVICE_NAME = "Practitioner Health"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "practitioner_health.audit.logging.RequestIdFilter"},
        "repeated": {"()": "practitioner_health.logfilters.RepeatedRecordFilter"},
        "unknown_path": {"()": "practitioner_health.logfilters.UnknownPathFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django names the request's path: the service's own URLs carry ids and slugs only; any
        # other path is whatever someone typed, and is withheld.
        "django.request": {"filters": ["unknown_path"]},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # Twilio's client logs request parameters (numbers, message text) at INFO.
        "twilio": {"level": "WARNING"},
        "twilio.http_client": {"level": "WARNING"},
        # A Redis outage logs from every cache call: the first, then one a minute.
        "django_redis.cache": {"filters": ["repeated"]},
    },
}

CSRF_FAILURE_VIEW = "practitioner_health.views.csrf_failure"

# Helpline (triage app): opening hours in UK time, numbers calls are put through to, and
# the callback retry policy.
HELPLINE_OPENING_HOURS = env_str("HELPLINE_OPENING_HOURS", "mon-fri 08:00-20:00; sat 08:00-14:00")
HELPLINE_FORWARD_NUMBERS = env_list("HELPLINE_FORWARD_NUMBERS", ["+447700900001"] if not PRODUCTION else None)
CALLBACK_MAX_ATTEMPTS = env_int("CALLBACK_MAX_ATTEMPTS", 3, minimum=1)
CALLBACK_RETRY_MINUTES = env_int("CALLBACK_RETRY_MINUTES", 15, minimum=1)
CELERY_BEAT_SCHEDULE["triage-callbacks-due"] = {"task": "triage.callbacks_due", "schedule": timedelta(minutes=1)}

# --- Referrals (issue 3): rate limits on the public self-referral form, per client address.
# Answers: page submissions per window; submissions: "Send referral" presses per window.
REFERRAL_RATE_LIMIT_ANSWERS = env_int("REFERRAL_RATE_LIMIT_ANSWERS", 200, minimum=1)
REFERRAL_RATE_LIMIT_ANSWERS_WINDOW = env_int("REFERRAL_RATE_LIMIT_ANSWERS_WINDOW_SECONDS", 600, minimum=1)
REFERRAL_RATE_LIMIT_SUBMISSIONS = env_int("REFERRAL_RATE_LIMIT_SUBMISSIONS", 10, minimum=1)
REFERRAL_RATE_LIMIT_SUBMISSIONS_WINDOW = env_int("REFERRAL_RATE_LIMIT_SUBMISSIONS_WINDOW_SECONDS", 3600, minimum=1)

# --- Reporting (reporting/): the commissioner dashboard's monthly facts -------------------
# The earliest month a commissioner can choose in a custom range (YYYY-MM).
REPORTING_EARLIEST_MONTH = env_str("REPORTING_EARLIEST_MONTH", "2018-01")
if not (
    len(REPORTING_EARLIEST_MONTH) == 7
    and REPORTING_EARLIEST_MONTH[4] == "-"
    and REPORTING_EARLIEST_MONTH[:4].isdigit()
    and REPORTING_EARLIEST_MONTH[5:].isdigit()
    and 1 <= int(REPORTING_EARLIEST_MONTH[5:]) <= 12
):
    raise ImproperlyConfigured(f"REPORTING_EARLIEST_MONTH must look like 2018-01, not {REPORTING_EARLIEST_MONTH!r}")
CELERY_BEAT_SCHEDULE.update(
    {
        # This month and last month, where nearly every change lands.
        "reporting-refresh-facts": {
            "task": "reporting.refresh_recent_facts",
            "schedule": timedelta(minutes=15),
        },
        # The last 12 months, for late changes (an eligibility decided months after referral).
        "reporting-refresh-facts-nightly": {
            "task": "reporting.refresh_last_year_facts",
            "schedule": crontab(hour=2, minute=45),
        },
    }
)
# --- end of Reporting ----------------------------------------------------------------------

# --- API (api/): the versioned JSON API for the smartphone app -----------------------------
# Bearer tokens only (no session or CSRF), JSON only, errors as {"code", "message", "fields"}.
# Throttles count per client address (hashed) and per signed-in account, in the default cache.
API_TOKEN_LIFETIME = timedelta(hours=env_int("API_TOKEN_LIFETIME_HOURS", 24 * 30, minimum=1))
# A token not used for this long stops working, like an idle web session.
API_TOKEN_IDLE_TIMEOUT = timedelta(hours=env_int("API_TOKEN_IDLE_HOURS", 24 * 7, minimum=1))
API_CHALLENGE_LIFETIME = timedelta(seconds=OTP_EMAIL_TOKEN_VALIDITY)
API_CHALLENGE_MAX_ATTEMPTS = env_int("API_CHALLENGE_MAX_ATTEMPTS", 5, minimum=1)
CELERY_BEAT_SCHEDULE["api-purge-dead-credentials"] = {
    "task": "api.purge_dead_credentials",
    "schedule": crontab(minute=41),
}
# Origins allowed to call the API from a browser; none by default (the app is not a browser).
API_CORS_ORIGINS = env_list("API_CORS_ORIGINS", [])
MIDDLEWARE = [*MIDDLEWARE, "api.middleware.ApiCorsMiddleware"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.BoundedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientThrottle", "api.throttling.AccountThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "client": env_str("API_THROTTLE_CLIENT", "600/minute"),
        "account": env_str("API_THROTTLE_ACCOUNT", "300/minute"),
        "sign-in": env_str("API_THROTTLE_SIGN_IN", "20/minute"),
        "referral": env_str("API_THROTTLE_REFERRAL", "20/hour"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Practitioner Health app API",
    "DESCRIPTION": "The JSON API for the Practitioner Health smartphone app. Sign in with "
    "/auth/sign-in and /auth/verify, then send `Authorization: Bearer <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ArticleCategoryEnum": "selfhelp.models.ArticleCategory",
        "SignpostingCategoryEnum": "selfhelp.models.SignpostingCategory",
    },
}
# --- end of API ----------------------------------------------------------------------------
