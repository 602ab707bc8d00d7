"""Settings for wastegrid, read from the environment.

Every value that differs between a laptop and production comes from an environment variable read by a
typed helper that fails loudly on a bad value (see lib.env).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

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
    # accounts first: its createsuperuser (validates DJANGO_SUPERUSER_PASSWORD too) overrides Django's.
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # ninja: its docs view renders our templates/ninja/swagger.html (local Swagger UI) only when listed here.
    "ninja",
    "accounts.axes_config.AxesConfig",  # django-axes with a translated name in the back office
    "csp",
    "lib",
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
    # Background jobs and schedules: django-q2's ORM broker (no extra service) and our jobs app.
    "django_q",
    "jobs",
    # The project package, last: the top floor's commands that compose every app (generate-demo, demo-logins).
    "wastegrid",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After auth: names each HTML page's owner for the service worker, which never shows it to another user.
    "accounts.offline.OfflineOwnerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After auth and messages, so its 400 page renders in the layout: control characters refused at the edge.
    "lib.middleware.ControlCharsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Last, so its process_exception runs first: a lock timeout answers 503 + Retry-After, not 500.
    "lib.dbbusy.DatabaseBusyMiddleware",
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
    # WASTEGRID_TEST_DB names another test database file, so two suites can run side by side on one checkout.
    # (var/test-NAME.sqlite3: never the name of a demo database under var/, which a test run would replace).
    _test_db = env_str("WASTEGRID_TEST_DB", default="")
    _test_name = f"test-{_test_db}" if _test_db else "test"
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"{_test_name}.sqlite3")}

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

# Every way a password is set (admin add/change, createsuperuser, changepassword, the demo) runs these.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
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
    ("vendor/swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
    ("vendor/idb-keyval", BASE_DIR / "node_modules" / "idb-keyval" / "dist"),
    # The QR reader where the browser has no BarcodeDetector (one self-contained UMD file; static/lib/scan.js).
    ("vendor/zxing", BASE_DIR / "node_modules" / "@zxing" / "browser" / "umd"),
    # Workbox's modules for the app's service worker (accounts/offline.py imports them by these URLs).
    *[
        ("vendor/workbox", BASE_DIR / "node_modules" / f"workbox-{name}" / "build")
        for name in ("core", "routing", "strategies", "expiration", "precaching")
    ],
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
# HTTPS hardening, off for the local demo (plain http on 127.0.0.1); a production env turns each on so
# `manage.py check --deploy` passes (tests/wastegrid/test_settings.py). Behind a TLS-terminating proxy that sets
# X-Forwarded-Proto, WASTEGRID_PROXY_SSL_HEADER=1 tells Django the request was https (no redirect loop).
SECURE_SSL_REDIRECT = env_bool("WASTEGRID_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("WASTEGRID_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("WASTEGRID_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("WASTEGRID_HSTS_PRELOAD", default=False)
if env_bool("WASTEGRID_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_FAILURE_VIEW = "accounts.errors.csrf_failure"

# Content-Security-Policy (django-csp 4): only this origin, no inline or eval'd script. Style *attributes*
# (style="width:8rem" in templates, --cat colours) are allowed; <style> elements are not (htmx's own
# indicator style is switched off in base.html and lives in app.css). img data: is for Swagger UI's icons;
# img blob: and connect data: for the recorder, which shrinks a photo on the phone and queues it as a data
# URL (neither leaves the machine).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'", "data:"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login throttling (django-axes): WASTEGRID_LOGIN_FAILURE_LIMIT failures for one username from one IP lock
# that pair for WASTEGRID_LOGIN_COOLOFF_MINUTES; an admin unlocks early (admin "Access attempts", or
# `manage.py axes_reset_username NAME`). Failures are rows in the database, so each test starts clean.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("WASTEGRID_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("WASTEGRID_LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Behind WASTEGRID_PROXY_COUNT reverse proxies the client address comes from X-Forwarded-For, not the proxy's.
_proxy_count = env_int("WASTEGRID_PROXY_COUNT", default=0)
if _proxy_count:
    AXES_IPWARE_PROXY_COUNT = _proxy_count
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Background jobs (imports, report builds, schedules) go through django-q2 with the database as broker: the
# task row is written before anything runs, and `manage.py qcluster` (started by `make serve`) works them.
# WASTEGRID_JOBS_INLINE runs them in the caller instead (tests, single-shot scripts). See docs/architecture.md.
WASTEGRID_JOBS_INLINE = env_bool("WASTEGRID_JOBS_INLINE", default=False)
# A job whose worker died is handed out again `retry` seconds after it was taken: it must exceed `timeout`
# (the longest a job may run) or a slow job would be run twice at once.
_jobs_timeout = env_int("WASTEGRID_JOBS_TIMEOUT", default=600)
Q_CLUSTER = {
    "name": "wastegrid",
    "orm": "default",
    "workers": env_int("WASTEGRID_JOBS_WORKERS", default=2),
    "timeout": _jobs_timeout,
    "retry": env_int("WASTEGRID_JOBS_RETRY", default=_jobs_timeout + 60),
    # An exception is a bug or bad input, recorded on the job's own row: running it again would not help.
    # Transient database errors are retried with backoff by jobs.runner instead.
    "ack_failures": True,
    "sync": WASTEGRID_JOBS_INLINE,
    # Keep the last results of every schedule (the admin's "last run" links to them), not 250 in all.
    "save_limit": 50,
    "save_limit_per": "group",
    # A schedule missed while no worker ran fires once, not once per missed day (each job is idempotent).
    "catch_up": False,
    "poll": 0.5,
    "label": gettext_lazy("Background queue"),
}

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
