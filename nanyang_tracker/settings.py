"""Settings for the Nanyang innovation-action tracker, read from the environment.

Nothing set gives a working development site: SQLite file, Celery tasks run eagerly in the
web process, e-mail printed to the console.  Production sets DATABASE_URL, REDIS_URL,
SECRET_KEY and ALLOWED_HOSTS (see .env.example).
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    return int(value) if value else default


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DJANGO_DEBUG=1 for development)."
        )
    SECRET_KEY = "development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "nanyang_tracker.errors.csrf_failure"  # in Chinese, in the site's frame

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tables2",
    "axes",
    "nanyang_tracker.apps.ProjectConfig",
    # One direction: each app imports only those above it in this list (import-linter checks).
    "tasks",
    "targets",
    "reports",
    "dashboards",
    "demo",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "nanyang_tracker.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages gzip-compressed (static files come compressed from whitenoise). Django's own
    # GZipMiddleware pads each response at random, its mitigation of BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nanyang_tracker.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "nanyang_tracker.middleware.IdleTimeoutMiddleware",
    # Every page of this intranet system needs a signed-in user, unless a view is
    # explicitly marked @login_not_required (the login page itself).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nanyang_tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tasks.context_processors.navigation",
                "demo.context_processors.demo_data",
            ],
        },
    },
]

WSGI_APPLICATION = "nanyang_tracker.wsgi.application"

# Database: DATABASE_URL (PostgreSQL in production) or a SQLite file for development.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Errors go to standard error (gunicorn and Celery keep it in their logs), with tracebacks:
# with DEBUG off Django would otherwise only try to e-mail ADMINS.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
    },
}

# Redis: Celery broker and Django cache when REDIS_URL is set; otherwise eager jobs and a
# per-process cache, so a newcomer needs nothing but Python.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# A page drawn for one data version stays in the cache this long (seconds); a change
# to what it shows gives it a new key at once (tasks/pages.py), so this only bounds
# the memory pages of old versions hold.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {
    # Seven days and one day before a due date, remind units that still owe reports; the day
    # after, send the plan office the list of overdue units. Sent once each (reports/reminders.py).
    "send-reminders": {
        "task": "reports.jobs.send_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Just after midnight, judge every plan's targets on the new day (dashboards/verdicts.py).
    "refresh-verdicts": {
        "task": "dashboards.jobs.refresh_all_verdicts",
        "schedule": crontab(hour=0, minute=5),
    },
    # Exported files are kept for seven days.
    "delete-old-exports": {
        "task": "dashboards.jobs.delete_old_exports",
        "schedule": crontab(hour=2, minute=30),
    },
}
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "reports.backends.ProfileBackend",  # ModelBackend, the profile read with the user
]
# Login throttling: five wrong passwords for one user name from one address lock that pair out
# for 15 minutes. Keyed on the pair, so one mistyping clerk cannot lock out a whole bureau that
# shares one NAT address, nor can one address lock out a user everywhere else.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after SESSION_IDLE_MINUTES without a request (IdleTimeoutMiddleware), after
# twelve hours in any case, and when the browser closes.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Transport security. HTTPS=1 behind TLS turns on secure cookies, redirects and HSTS. Many
# intranets serve plain HTTP; there the four checks about HTTPS are silenced, and only there.
HTTPS = env_bool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS and not DEBUG
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
if HTTPS and env_bool("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload: an intranet host name cannot go on the browsers' public preload list.
    "security.W021",
]
if not HTTPS:
    SILENCED_SYSTEM_CHECKS += [
        "security.W004",  # HSTS: meaningless without HTTPS
        "security.W008",  # SSL redirect: there is no HTTPS to redirect to
        "security.W012",  # secure session cookie: would never be sent over plain HTTP
        "security.W016",  # secure CSRF cookie: likewise
    ]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "targets:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["nanyang_tracker.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# Uploaded attachments and exported files go through Django's storage API only: a folder by
# default (MEDIA_ROOT, a volume the web nodes and workers share), or S3-compatible object storage
# when S3_BUCKET is set (pip install "django-storages[s3]"; credentials from the usual AWS_*
# variables or the machine's role).
S3_BUCKET = env_str("S3_BUCKET")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
                "region_name": env_str("S3_REGION") or None,
                "default_acl": "private",
                "file_overwrite": False,
                "querystring_auth": True,
            },
        }
        if S3_BUCKET
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# In development WhiteNoise serves straight from static/ and the apps, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Django's two handlers, made safe for long Chinese file names (see nanyang_tracker/uploads.py).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "nanyang_tracker.uploads.TemporaryFileUploadHandler",
]

# E-mail: SMTP when EMAIL_HOST is set, otherwise printed to the console.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
elif env_str("EMAIL_FILE_PATH"):
    # Each e-mail written to a file in this folder (for checking reminders on a test machine).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@localhost")


# Target status thresholds (targets/progress.py): on track from this share of the expected
# value, warning from the second, seriously behind below it.
PROGRESS_ON_TRACK_RATIO = Decimal(env_str("PROGRESS_ON_TRACK_RATIO", "0.95"))
PROGRESS_WARNING_RATIO = Decimal(env_str("PROGRESS_WARNING_RATIO", "0.80"))

# The plan shown when a page does not name one (the action plan this site was built for).
DEFAULT_PLAN_CODE = env_str("DEFAULT_PLAN_CODE", "innovation-2022")
