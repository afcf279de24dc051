"""Settings, all from the environment. Defaults give the SQLite demo; production sets DATABASE_URL."""

import os
import warnings
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("SHAOBAO_DEBUG", False)
SECRET_KEY = os.environ.get("SHAOBAO_SECRET_KEY", "insecure-dev-key-change-me-" + "x" * 30)
ALLOWED_HOSTS = os.environ.get("SHAOBAO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("SHAOBAO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "shaobao.core",
    "shaobao.audit",
    "shaobao.notify",
    "shaobao.org",
    "shaobao.duties",
    "shaobao.problems",
    "shaobao.whistles",
    "shaobao.assessments",
    "shaobao.dashboards",
    "shaobao.demands",
    "shaobao.open311",
    "shaobao.places",
    "shaobao.hotspots",
    "shaobao.exports",
    "shaobao.ui",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shaobao.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shaobao.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shaobao.core.middleware.SecurityHeadersMiddleware",
    "shaobao.ui.middleware.DomainErrorPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "ui:login"
LOGIN_REDIRECT_URL = "ui:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shaobao.ui.context.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'shaobao.sqlite3'}"),
        conn_max_age=int(os.environ.get("SHAOBAO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing with "database is locked" halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SHAOBAO_TEST_SQLITE", "")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "shaobao" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Map tiles are off by default (deployments are often offline); see docs/places.md.
SHAOBAO_MAP_TILE_URL = os.environ.get("SHAOBAO_MAP_TILE_URL", "")
SHAOBAO_MAP_TILE_ATTRIBUTION = os.environ.get("SHAOBAO_MAP_TILE_ATTRIBUTION", "")
# Files the system writes for itself (router models); not served.
VAR_DIR = Path(os.environ.get("SHAOBAO_VAR_DIR", BASE_DIR / "var"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("SHAOBAO_MEDIA_ROOT", BASE_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Security by default; HTTPS-only flags are switched on by the deployment (docs/operations.md).
SECURE_HTTPS = env_bool("SHAOBAO_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHAOBAO_LOG_LEVEL", "WARNING")},
}

# Domain configuration. Every number here is [M] or [L] in the domain brief, so it is configuration.
SHAOBAO = {
    # Working periods of a working day, local time.
    "WORK_PERIODS": [("09:00", "12:00"), ("13:30", "17:30")],
    # Time-limit tiers: code -> (unit, amount). Units: natural_hours, working_hours, working_days,
    # natural_days.
    "TIME_LIMIT_TIERS": {
        "EMERGENCY_2H": ("natural_hours", 2),
        "UTILITY_24H": ("natural_hours", 24),
        "WORKING_4H": ("working_hours", 4),
        "ORDINARY_7D": ("natural_days", 7),
        "COMPLEX_15D": ("natural_days", 15),
        "WORKING_20D": ("working_days", 20),
    },
    "DEFAULT_TIER": "ORDINARY_7D",
    # Report-by (报到) defaults per whistle kind/area, in minutes.
    "REPORT_BY_MINUTES": {"ENFORCEMENT": 30, "EMERGENCY": 30, "DEFAULT": 240},
    # Login throttle: attempts per window per username and per address.
    "LOGIN_MAX_ATTEMPTS": 5,
    "LOGIN_WINDOW_SECONDS": 900,
    # How many reverse proxies (nginx, a load balancer) stand in front: their X-Forwarded-For
    # entries are trusted to find the client's address for login throttling.
    "TRUSTED_PROXIES": int(os.environ.get("SHAOBAO_TRUSTED_PROXIES", "0")),
    # The router dispatches by itself only above this confidence; below it suggests. None: the
    # threshold each model chose on its own training data for 98 % precision. A number set here
    # holds for every model, so it must be chosen again when the model format changes: format 4
    # averages two combiners, and the same confidence means a different precision than under 3.
    "ROUTER_AUTO_THRESHOLD": None,
    # Demands (接诉即办): time limits per matter tier for dispatched demands (domain.md §2, [M]).
    "DEMAND_TIERS": {
        "EMERGENCY_2H": ("natural_hours", 2),
        "UTILITY_24H": ("natural_hours", 24),
        "WORKING_4H": ("natural_hours", 24),
        "ORDINARY_7D": ("natural_days", 7),
        "COMPLEX_15D": ("natural_days", 15),
        "WORKING_20D": ("natural_days", 15),
    },
    # A demand repeats an earlier one (same phone, or very similar text in the same township)
    # within this many days.
    "DUPLICATE_WINDOW_DAYS": 30,
    # The three rates' definitions (domain.md §2, [L]): versioned, so a published figure can say
    # which definition it used. "Basic satisfaction" counts this much of "satisfied".
    "RATES": {"version": "2026-v1", "basic_weight": 0.8},
    "DUPLICATE_TEXT_SIMILARITY": 0.6,
    # A router is retrained from history only with at least this many decided cases.
    "ROUTER_MIN_ROWS": 50,
    # Dashboards: demand counts and rate trends of a scope are shared by its viewers this long
    # (whistle figures are per viewer and always live). 0: no sharing.
    "DASHBOARD_CACHE_SECONDS": 30,
    # The CJK font (.ttf/.ttc/.otf) embedded, as a subset, in PDF reports. None: the first of the
    # Debian fonts in shaobao/core/fonts.py (fonts-wqy-microhei, installed by `make install`).
    "PDF_FONT": os.environ.get("SHAOBAO_PDF_FONT") or None,
    # Exports (shaobao/exports): above this many rows a page queues a job instead of answering
    # the .xlsx itself; finished files are deleted after this many days.
    "EXPORT_INLINE_MAX_ROWS": 5000,
    "EXPORT_KEEP_DAYS": 7,
    # Hot spots (热点, shaobao/hotspots/detect.py): window, baseline weeks and the thresholds.
    "HOTSPOTS": {"window_days": 7, "baseline_weeks": 4, "min_count": 5, "min_ratio": 2.0},
}

LANGUAGE_COOKIE_NAME = "shaobao_lang"

# Static files come from the apps in development and tests; production runs collectstatic.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at")
