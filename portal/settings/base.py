"""Settings shared by every environment.

Everything that differs between machines comes from the environment (django-environ);
see README.md for the list of variables.
"""

from pathlib import Path

import environ
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local .env file is convenient in development; production sets real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Our apps first so that their templates and translations win.
    "portal",
    "accounts",
    "affiliates",
    "grants",
    "cms",
    "exports",
    "notifications",
    # Wagtail
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # API and history
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    # Background tasks
    "django_tasks",
    "django_tasks_db",
    # Sign-in, two-factor, Wikimedia accounts; partial page updates
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "django_htmx",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Our field templates override Django's form templates (FORM_RENDERER below).
    "django.forms",
]

MIDDLEWARE = [
    # First: times every answer and gives it a request id (portal/request_log.py).
    "portal.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.PortalCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language follows the signed-in user's profile, so authentication comes
    # before it; it still runs before CommonMiddleware (slash redirects per prefix).
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.signin.SignInLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireTwoFactorMiddleware",
    "portal.errors.DomainErrorMiddleware",
    # The database out of reach: 503 with Retry-After (portal/db_errors.py).
    "portal.db_errors.DatabaseOutageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# Response headers on every page. Content-Security-Policy: scripts only from our own
# files (never inline, never eval), nothing loaded from elsewhere. Pages mark their
# own inline <style> with the request's nonce. The two admins set inline style
# attributes from their scripts and show images from data: URLs; Wagtail's admin
# also shows its preview in a frame of its own and upload previews as blob: images.
# Checked in a real Chromium (tests/browser/).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_CSP_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": [_CSP_SELF],
        "style-src": [_CSP_SELF, NONCE],
        "img-src": [_CSP_SELF, "data:"],
        "font-src": [_CSP_SELF],
        "connect-src": [_CSP_SELF],
        "manifest-src": [_CSP_SELF],
        "base-uri": [_CSP_SELF],
        "form-action": [_CSP_SELF],
        # Our own origin only: Wagtail shows page previews in a frame of its admin
        # (the preview is rendered as the page itself, under the site's policy).
        "frame-ancestors": [_CSP_SELF],
        "object-src": ["'none'"],
    }
}
_ADMIN_CSP = {
    "style-src": [_CSP_SELF, "'unsafe-inline'"],
    "img-src": [_CSP_SELF, "data:", "blob:"],  # previews of images being uploaded
    "frame-src": [_CSP_SELF],
}
CSP_PATH_DIRECTIVES = {
    "/cms-admin/": _ADMIN_CSP,
    "/admin/": {"style-src": [_CSP_SELF, "'unsafe-inline'"]},
    # Swagger UI sets inline style attributes from its own scripts.
    "/api/v1/docs/": {"style-src": [_CSP_SELF, "'unsafe-inline'"]},
}

# Request bodies (form fields and JSON) up to 2 MB; uploaded files are not counted.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.navigation.nav_items",
                "notifications.context.notification_bell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# A request that fails half-way writes nothing.
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A persistent connection the server dropped (a restart) is replaced, not reused.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. Transactions take the write lock when they
    # begin (IMMEDIATE), so two requests writing at once queue instead of one failing
    # with "database is locked" half-way; WAL lets reads go on meanwhile. The loser of
    # a race then sees the winner's change (a 409 for a second submit, say).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=30000; "
                "PRAGMA synchronous=NORMAL;"
            ),
        }
    )
    # The funded-grants index carries extra columns on PostgreSQL (INCLUDE, for
    # index-only scans); SQLite builds it without them, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the readers' visibility rules (OR of correlated EXISTS)
    # make the planner's cost estimates large, which switched JIT on and spent two
    # seconds compiling a count that runs in 0.1 s (bench/scale.py, 100,000 proposals).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Counters (API rates, failed sign-ins, allauth's rate limits, used two-factor codes)
# must be shared by every app process: Redis when REDIS_URL is set, else a table in
# the database (made at migrate time).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_cache",
        }
    }

# Sign-in forms: repeated failures lock the username and the address out for a
# while (portal/signin.py). The first backend refuses while locked out.
# The sign-in page in every language (the admins' own pages send people there).
SIGN_IN_PATH_PATTERN = r"^/(?:[a-z]{2}(?:-[a-z]+)?/)?accounts/login/$"
PORTAL_SIGN_IN_LIMITS = {"PER_USERNAME": 10, "PER_ADDRESS": 50, "WINDOW_SECONDS": 900}
# Reverse proxies in front of the portal: the client address is the one the
# outermost of them saw (X-Forwarded-For). 0: use the connection's address.
PORTAL_NUM_PROXIES = env.int("PORTAL_NUM_PROXIES", default=0)

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

# Internationalisation. The interface languages; content may be in any language.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("ar", "العربية"),
    ("zh-hans", "简体中文"),
    ("de", "Deutsch"),
    ("ru", "Русский"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language picker's choice outlives the browser session (visitors too).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_SITE_NAME = "Grants and affiliate reporting portal"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# No avatars fetched from a third-party service: it would tell it who uses the admin.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does the dashboard ask wagtail.org for new releases (the CSP would block it).
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

STATIC_URL = "static/"
# The fonts bundled for PDFs double as web fonts (portal.css): /static/fonts/…
STATICFILES_DIRS = [("fonts", BASE_DIR / "exports" / "fonts")]
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Generated PDFs: outside MEDIA_ROOT, never served by URL, read back through the API
# (which checks the reader). Shared by app processes and task workers in production.
PRIVATE_ROOT = env("PORTAL_PRIVATE_ROOT", default=str(BASE_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production compresses and fingerprints (production.py); WhiteNoise serves them.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "exports": {
        "BACKEND": "exports.storage.PrivateStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
    },
}

# Background tasks: the database backend needs a worker (`manage.py db_worker`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# `manage.py portal_maintenance` (exports/maintenance.py): a round packet with no
# progress for this long, and nothing of it in the queue, is taken up again (its
# worker died); it fails with a message after this many tries, or once this old.
PORTAL_PACKET_STALL_SECONDS = env.int("PORTAL_PACKET_STALL_SECONDS", default=600)
PORTAL_PACKET_MAX_ATTEMPTS = env.int("PORTAL_PACKET_MAX_ATTEMPTS", default=3)
PORTAL_PACKET_DEADLINE_SECONDS = env.int(
    "PORTAL_PACKET_DEADLINE_SECONDS", default=3 * 3600
)
# Any other task still "running" after this long lost its worker.
PORTAL_TASK_LOST_SECONDS = env.int("PORTAL_TASK_LOST_SECONDS", default=6 * 3600)
# Retention: packet files (their export records stay), cached dossiers no packet
# uses, finished task rows.
PORTAL_PACKET_RETENTION_DAYS = env.int("PORTAL_PACKET_RETENTION_DAYS", default=30)
PORTAL_RENDERED_PART_RETENTION_DAYS = env.int(
    "PORTAL_RENDERED_PART_RETENTION_DAYS", default=30
)
PORTAL_TASK_RESULT_RETENTION_DAYS = env.int(
    "PORTAL_TASK_RESULT_RETENTION_DAYS", default=14
)

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a missing or bad token a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Hashed, named, revocable tokens (accounts.ApiToken): `Token <key>`.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API's forms list related rows; dev settings add it.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only, bounded in size and depth (portal/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "portal.api.filters.PortalOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    # Counted in the shared cache; over the limit: 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttles.AnonThrottle",
        "portal.api.throttles.UserThrottle",
        "portal.api.throttles.WriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": "120/minute",
        "user": "1200/minute",
        "write": "60/minute",
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Grants and affiliate reporting portal API",
    "DESCRIPTION": _(
        "Affiliates, memberships, affiliate reports, fund programs, rounds, grant "
        "proposals, grant reports and conflict-of-interest declarations, with their "
        "audit history."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files: the docs page loads nothing from elsewhere.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "PREPROCESSING_HOOKS": ["portal.api.schema.only_public_api"],
    "ENUM_NAME_OVERRIDES": {"StoryStatusEnum": "cms.choices.StoryStatus"},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Sign-in, sign-up and two-factor: django-allauth (README, "Accounts and sign-in").
AUTHENTICATION_BACKENDS = [
    # First: refuses every password check while a username or address is locked
    # out after repeated failures (portal/signin.py), whichever form asks.
    "portal.signin.SignInLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
# Until the signed-in home exists, people land on their account page.
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_USERNAME_MIN_LENGTH = 3
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = env("PORTAL_EMAIL_SUBJECT_PREFIX", default="[Grants] ")
# allauth's default rate limits stay on (ACCOUNT_RATE_LIMITS unset: e.g. 5 failed
# sign-ins per account per 5 minutes, 30 sign-ins a minute per IP); they count in the
# cache (see CACHES).
# Wikimedia accounts need not have an e-mail address; one can be added later.
SOCIALACCOUNT_EMAIL_REQUIRED = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_LOGIN_ON_GET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env("PORTAL_TOTP_ISSUER", default="Grants portal")
# "Sign in with a Wikimedia account" only when the OAuth consumer is configured.
MEDIAWIKI_CLIENT_ID = env("MEDIAWIKI_CLIENT_ID", default="")
MEDIAWIKI_CLIENT_SECRET = env("MEDIAWIKI_CLIENT_SECRET", default="")
SOCIALACCOUNT_PROVIDERS = {}
if MEDIAWIKI_CLIENT_ID and MEDIAWIKI_CLIENT_SECRET:
    INSTALLED_APPS.append("allauth.socialaccount.providers.mediawiki")
    SOCIALACCOUNT_PROVIDERS["mediawiki"] = {
        "APPS": [
            {
                "client_id": MEDIAWIKI_CLIENT_ID,
                "secret": MEDIAWIKI_CLIENT_SECRET,
                "settings": {},
            }
        ],
        "REST_API": env(
            "MEDIAWIKI_REST_API", default="https://meta.wikimedia.org/w/rest.php"
        ),
        "USER_AGENT": "grants-portal (allauth)",
    }
# The admin sites sign people in through allauth (two-factor included).
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False


# Forms render through our field templates (portal/templates/components/forms/).
FORM_RENDERER = "portal.forms.PortalFormRenderer"

# Navigation: each entry returns the menu items one app adds for this request.
# The members' affiliate dashboard: panels from other apps, in this order
# (affiliates/dashboard.py).
PORTAL_DASHBOARD_PANELS = [
    "grants.dashboard.proposals",
    "grants.dashboard.grant_reports",
    "cms.dashboard.stories",
]

PORTAL_NAVIGATION = [
    "portal.navigation.public_items",
    "accounts.navigation.items",
    "affiliates.navigation.items",
    "grants.navigation.items",
    "cms.navigation.items",
    "notifications.navigation.items",
]

# Plain lines here; production writes one JSON object a line (production.py). Every
# record carries the id of the request it was written for (portal/logging.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logging.RequestIdFilter"}},
    "formatters": {"plain": {"()": "portal.logging.PlainFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "plain",
        }
    },
    "loggers": {
        # Failed sign-ins and refused two-factor set-ups (IP, time).
        "portal.security": {"handlers": ["console"], "level": "INFO"},
        # One line per request (portal/request_log.py).
        "portal.requests": {
            "handlers": ["console"],
            "level": env("PORTAL_REQUEST_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
    },
}

# Health endpoints (portal/health.py): answered over plain HTTP too, since load
# balancers ask the app processes directly.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# /readyz fails when the oldest task due has waited longer than this for a worker.
PORTAL_TASK_BACKLOG_MAX_SECONDS = env.int(
    "PORTAL_TASK_BACKLOG_MAX_SECONDS", default=900
)

# E-mail: one variable, as django-environ reads it (README, "E-mail"):
# smtp+tls://user:password@host:587, consolemail://, filemail:///path/to/folder.
# Development prints e-mails; production refuses to start without EMAIL_URL.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default=f"Grants portal <noreply@{ALLOWED_HOSTS[0]}>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# Links in e-mails and calendar events start with this.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default=WAGTAILADMIN_BASE_URL)
# The daily digest leaves on the first reminder run after this hour (UTC).
PORTAL_DIGEST_HOUR = env.int("PORTAL_DIGEST_HOUR", default=6)

# `manage.py load_demo_data` (published passwords and two-factor secrets) refuses to
# run where this is off, as in production.
PORTAL_DEMO_DATA_ALLOWED = True

# Grant rules that are policy rather than data.
PORTAL_VARIANCE_EXPLANATION_THRESHOLD = env.float(
    "PORTAL_VARIANCE_EXPLANATION_THRESHOLD", default=0.10
)
