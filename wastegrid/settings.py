"""Settings for wastegrid, read from the environment.

Every value that differs between a laptop and production comes from an environment variable read by a
typed helper that fails loudly on a bad value (see lib.env).
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from lib.env import env_bool, env_int, env_list, env_str, read_or_create_secret

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("WASTEGRID_DEBUG", default=False)
SECRET_KEY = env_str("WASTEGRID_SECRET_KEY", default="")
if not SECRET_KEY:
    # No key in code: a random one is made once per install under var/ and shared by every worker process.
    SECRET_KEY = read_or_create_secret(BASE_DIR / "var" / "secret_key")

ALLOWED_HOSTS = env_list("WASTEGRID_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("WASTEGRID_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "lib",
    "accounts",
    "audit",
    "grid",
    "guide",
    "supervision",
    "points",
    "enforcement",
    "tonnage",
    "assessment",
    "reports",
    "party",
    "contests",
    "units",
    "activities",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "wastegrid.urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "wastegrid.wsgi.application"

_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=_default_sqlite),
        conn_max_age=env_int("WASTEGRID_CONN_MAX_AGE", default=600),
        conn_health_checks=True,
    )
}
if env_bool("WASTEGRID_TESTING", default=False):
    # Tests start threads (live server, background jobs): none may keep a connection past its work.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE avoids "database is locked" on write-upgrade; WAL lets pages read while an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}

# A read replica for dashboards, assessments and report builds (lib.replica). In tests the alias mirrors the
# test database so the routing can be checked, but routing stays off unless a test turns it on.
_replica_url = env_str("DATABASE_REPLICA_URL", default="")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True
    )
elif env_bool("WASTEGRID_TESTING", default=False):
    DATABASES["replica"] = {**DATABASES["default"]}
if "replica" in DATABASES:
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
WASTEGRID_READ_REPLICA = "replica" if _replica_url else ""
DATABASE_ROUTERS = ["lib.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Third-party front-end assets come from the npm registry at install time (make), never the repo.
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("WASTEGRID_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Background jobs (imports) run in a thread of the web process by default; tests run them inline.
WASTEGRID_JOBS_INLINE = env_bool("WASTEGRID_JOBS_INLINE", default=False)

# Which category scheme the sorting guide shows: "shanghai" (湿/干垃圾, brown/black) or "gb19095" (厨余/其他).
WASTEGRID_GUIDE_SCHEME = env_str("WASTEGRID_GUIDE_SCHEME", default="shanghai")
if WASTEGRID_GUIDE_SCHEME not in ("shanghai", "gb19095"):
    raise ImproperlyConfigured("WASTEGRID_GUIDE_SCHEME must be shanghai or gb19095")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("WASTEGRID_LOG_LEVEL", default="WARNING")},
}

# Uploaded evidence (bin-side photos) is served through permission-checked views, never as public files.
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"
