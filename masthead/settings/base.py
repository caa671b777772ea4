"""Masthead settings, read from environment variables with documented defaults.

Every variable is listed in the README's configuration table. DEBUG is off unless
``DEBUG=true``; the embedded default runs on SQLite under ``MASTHEAD_DATA_DIR``.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from masthead.core.env import envbool, envint, envlist, envstr, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent  # the masthead package
PROJECT_DIR = BASE_DIR.parent
DATA_DIR = Path(envstr("MASTHEAD_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
MASTHEAD_SITE_NAME = envstr("MASTHEAD_SITE_NAME", "The Masthead Ledger")
WAGTAIL_SITE_NAME = MASTHEAD_SITE_NAME
# Admin avatars: the editor's uploaded picture, else Wagtail's own default image. Not
# Gravatar: the admin would show a broken image off line (or on a network that blocks
# it), and every admin page would send a hash of each editor's address to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
MASTHEAD_SHARED_DATA = Path(envstr("MASTHEAD_SHARED_DATA", str(PROJECT_DIR.parent / "shared")))

INSTALLED_APPS = [
    "masthead.core",
    "masthead.articles",
    "masthead.search",
    "masthead.moderation",
    "masthead.comments",
    "masthead.accounts",
    "masthead.metering",
    "masthead.readinglist",
    "masthead.migration",
    "masthead.newsletters",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
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
    "allauth",
    "allauth.account",
    "allauth.usersessions",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "masthead.core.routing.SiteMiddleware",
    "masthead.core.page_cache.SharedPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "masthead.accounts.middleware.ThrottledUserSessionsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "masthead.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'masthead.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE transactions take the
    # write lock up front so concurrent writers queue instead of failing with
    # "database is locked" (Django >= 5.1 ``transaction_mode``).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
CACHE_URL = envstr("CACHE_URL") or envstr("REDIS_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            # django-redis keeps one client per server; Django's own Redis backend builds
            # a client object for every command (about 1 ms of a signed-in story page).
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "masthead"),
        }
    }
else:
    # Shared by every app process on the machine (granian workers, db_worker), so a
    # publish in one process invalidates cached pages in all of them.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

# Sessions: in the database, read through the cache (one cache read per signed-in request
# instead of a query; the database copy survives a cache flush).
# Django's cached_db sessions; cookie values Django never makes are no session (logs stay clean).
SESSION_ENGINE = "masthead.accounts.sessions"
# A failed CSRF check gets the site's own page with what to do (masthead.core.views).
CSRF_FAILURE_VIEW = "masthead.core.views.csrf_failure"

# The edge cache (masthead.core.edge) answers anonymous readers in front of Django from
# pages already rendered; the content version is re-read at most every POLL seconds, so
# an edit is visible within that time plus one render.
MASTHEAD_EDGE_CACHE = envbool("MASTHEAD_EDGE_CACHE", True)
MASTHEAD_EDGE_POLL_SECONDS = float(envstr("MASTHEAD_EDGE_POLL_SECONDS", "0.2"))
# The edge also serves signed-in members' story pages from member variants (see
# masthead.core.edge); false sends every signed-in request through Django's middleware.
MASTHEAD_EDGE_MEMBERS = envbool("MASTHEAD_EDGE_MEMBERS", True)
# s-maxage (seconds) of pages that are the same for every anonymous reader, for a CDN in
# front; keep it short unless the CDN is purged on publish (docs/production.md).
MASTHEAD_SHARED_SMAXAGE = envint("MASTHEAD_SHARED_SMAXAGE", 5)

# --- Background tasks: one TASKS setting serves Wagtail's tasks and ours -------------------
TASKS = {"default": {"BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# The task worker runs Wagtail's publish_scheduled this often (seconds; 0: never), so a
# scheduled story goes live, and an expired one comes down, within that time.
MASTHEAD_SCHEDULE_SECONDS = float(envstr("MASTHEAD_SCHEDULE_SECONDS", "30"))

# --- Time, language --------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("SITE_TIME_ZONE", "Asia/Kolkata")
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = envbool("WHITENOISE_USE_FINDERS", False)

# --- Email -----------------------------------------------------------------------------
EMAIL_HOST = envstr("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "The Masthead Ledger <accounts@masthead.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies in front that append to X-Forwarded-For (1 behind the nginx of docs/production.md):
# allauth's rate limits and site search then key readers by their own address, not the proxy's.
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# --- Accounts (django-allauth) ----------------------------------------------------------
# Django's and allauth's backends, keeping the signed-in user in the cache for a minute
# (masthead.accounts.backends: saves a query on every signed-in request). Sessions made
# with the plain backends' paths end once when this list changes: readers sign in again.
AUTHENTICATION_BACKENDS = [
    "masthead.accounts.backends.CachedModelBackend",
    "masthead.accounts.backends.CachedAuthenticationBackend",
]
LOGIN_URL = "account_login"
# Stories behind a "signed in" restriction send readers to the site's own sign-in page
# (email and password or a code), not Wagtail's bare username form.
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a GET only shows a confirm button (mail scanners prefetch)
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if envbool("SECURE_COOKIES", False) else "http"
# allauth's "signup" limit counts per IP only, and its per-address "confirm_email" limit
# is lifted when a sign-up replaces unproven claims (masthead.accounts.forms.SignupForm),
# so "signup_email" (ours, read by that form) caps sign-ups per address: repeated
# sign-ups cannot keep mailing one inbox.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "signup_email": "3/h/key",
}
# Activity is tracked by masthead.accounts.middleware (at most once per interval per session).
USERSESSIONS_TRACK_ACTIVITY = True
MASTHEAD_SESSION_TRACK_SECONDS = envint("MASTHEAD_SESSION_TRACK_SECONDS", 300)
# On PostgreSQL a counted read is one call of the function masthead_meter_count
# (migration metering.0002); False uses the five-statement ORM path instead.
MASTHEAD_METER_SQL_FUNCTION = envbool("MASTHEAD_METER_SQL_FUNCTION", True)
# That call commits without waiting for the WAL flush (synchronous_commit = off for its
# own transaction; migration metering.0003 says what a database crash can cost).
MASTHEAD_METER_ASYNC_COMMIT = envbool("MASTHEAD_METER_ASYNC_COMMIT", True)
# With Redis as the cache, the meter counts in Redis (one atomic script per decision) and
# its rows are written behind every FLUSH seconds by each app process
# (masthead.metering.redis_meter says what a Redis data loss can cost).
MASTHEAD_METER_REDIS = envbool("MASTHEAD_METER_REDIS", True)
MASTHEAD_METER_FLUSH_SECONDS = float(envstr("MASTHEAD_METER_FLUSH_SECONDS", "0.5"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Wagtail ---------------------------------------------------------------------------
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Site searches a client (member, else address) may run a minute; more get 429. 0: no limit.
MASTHEAD_SEARCH_RATE_LIMIT = envint("MASTHEAD_SEARCH_RATE_LIMIT", 30)
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "xlsx", "docx"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_traceback": {"()": "masthead.core.log.WithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "console_one_line": {
            "class": "logging.StreamHandler",
            "filters": ["without_traceback"],
        },
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
    # Requests Django refuses as suspicious (a host not in ALLOWED_HOSTS, a path out of
    # MEDIA_ROOT, too big a body, too many fields or files) are answered 400: one line
    # each, no traceback (which would print server paths).
    "loggers": {
        "django.security": {
            "handlers": ["console_one_line"],
            "propagate": False,
        }
    },
}

# --- Membership: accounts, meter, subscriptions, reading list (issue 3) ------------------------
# Free metered stories a month; staff can change them per site in Settings → Meter.
MASTHEAD_METER_ANONYMOUS = envint("MASTHEAD_METER_ANONYMOUS", 3)
MASTHEAD_METER_MEMBER = envint("MASTHEAD_METER_MEMBER", 10)
# Anonymous meter rows are kept for this many months (this one included), then purged by
# the task worker every MASTHEAD_METER_RETENTION_SECONDS (0: never; masthead.metering.retention).
# Requests whose header lines add up to more bytes than this are answered 431
# (masthead.core.open_web; granian's own limit is far higher).
MASTHEAD_MAX_HEADER_BYTES = envint("MASTHEAD_MAX_HEADER_BYTES", 32 * 1024)
MASTHEAD_METER_ANONYMOUS_KEEP_MONTHS = envint("MASTHEAD_METER_ANONYMOUS_KEEP_MONTHS", 2)
MASTHEAD_METER_RETENTION_SECONDS = float(envstr("MASTHEAD_METER_RETENTION_SECONDS", "3600"))
MIDDLEWARE += ["masthead.metering.middleware.MeterMiddleware"]  # meter cookie + Cache-Control
# Members' story pages from cached variants (masthead.core.member_pages); last, so Django's
# session, auth, CSRF, security and meter middleware all run around it.
MIDDLEWARE += ["masthead.core.member_pages.MemberPageMiddleware"]
ACCOUNT_ADAPTER = "masthead.accounts.adapter.MastheadAccountAdapter"
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300  # seconds a re-check stays valid
# Adding, changing or removing an address and changing the password ask for the password
# (or a code) again; so do export and deletion (masthead.accounts.views).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Security notices: password changed or set, address changed (to the old address), removed.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Sign-up with an address others hold unverified (masthead.accounts.ownership).
ACCOUNT_FORMS = {
    "signup": "masthead.accounts.forms.SignupForm",
    # The others: allauth's forms with labels in the site's voice.
    **{
        key: f"masthead.accounts.allauth_forms.{name}"
        for key, name in {
            "login": "LoginForm",
            "change_password": "ChangePasswordForm",
            "set_password": "SetPasswordForm",
            "reset_password_from_key": "ResetPasswordKeyForm",
            "add_email": "AddEmailForm",
            "reset_password": "ResetPasswordForm",
            "request_login_code": "RequestLoginCodeForm",
            "reauthenticate": "ReauthenticateForm",
            "confirm_login_code": "ConfirmLoginCodeForm",
            "confirm_reauthentication_code": "ConfirmReauthenticationCodeForm",
        }.items()
    },
}
# Messages and emails name the reader by display name or email, never the user name.
ACCOUNT_USER_DISPLAY = "masthead.accounts.display.user_display"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False  # sign-out is a POST (CSRF-protected)

# --- Comment migration (masthead.migration, issue 6) ----------------------------------------
# Host names the old site used (comma-separated); thread URLs on them are matched to stories
# by path. Merged with the repeatable --old-host option of `manage.py import_comments`.
MASTHEAD_MIGRATION_OLD_HOSTS = [
    h.strip() for h in envstr("MASTHEAD_MIGRATION_OLD_HOSTS", "").split(",") if h.strip()
]
# --- Comments (masthead.comments) ------------------------------------------------------
# Rules for reader comments; editors also have Settings → Comments in the Wagtail admin
# (site-wide switch and closed sections). 0 turns a time limit off.
MASTHEAD_COMMENTS_EDIT_WINDOW_MINUTES = envint("MASTHEAD_COMMENTS_EDIT_WINDOW_MINUTES", 10)
# Threads close this many days after the story's publication time (0 = never). 30 days
# keeps discussion to the news cycle and bounds what moderators must watch.
MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS = envint("MASTHEAD_COMMENTS_CLOSE_AFTER_DAYS", 30)
# "HH:MM-HH:MM" in SITE_TIME_ZONE when no one may post (no moderator on duty); may wrap
# midnight, e.g. "23:00-06:00". Empty = no quiet hours.
MASTHEAD_COMMENTS_QUIET_HOURS = envstr("MASTHEAD_COMMENTS_QUIET_HOURS", "")
MASTHEAD_COMMENTS_MAX_LENGTH = envint("MASTHEAD_COMMENTS_MAX_LENGTH", 5000)  # characters
MASTHEAD_COMMENTS_MAX_DEPTH = envint(
    "MASTHEAD_COMMENTS_MAX_DEPTH", 3
)  # levels shown, 1 = no replies
MASTHEAD_COMMENTS_DUPLICATE_WINDOW_SECONDS = envint(
    "MASTHEAD_COMMENTS_DUPLICATE_WINDOW_SECONDS", 120
)
MASTHEAD_COMMENTS_PAGE_SIZE = envint(
    "MASTHEAD_COMMENTS_PAGE_SIZE", 50
)  # top-level comments per page
# --- The site's own guidelines model (masthead.moderation.learning) ----------------------
# Retrain in the background after this many new moderator decisions (0: only by command);
# each process re-reads the active model version this often (seconds).
MASTHEAD_GUIDELINES_RETRAIN_EVERY = envint("MASTHEAD_GUIDELINES_RETRAIN_EVERY", 200)
MASTHEAD_GUIDELINES_REFRESH_SECONDS = float(envstr("MASTHEAD_GUIDELINES_REFRESH_SECONDS", "5"))
# --- Newsletters (masthead.newsletters; see docs/newsletters.md) --------------------------
# Bulk mail goes From a different address than account mail (DEFAULT_FROM_EMAIL).
MASTHEAD_NEWSLETTER_FROM = envstr(
    "MASTHEAD_NEWSLETTER_FROM", "The Masthead Ledger <newsletters@masthead.example>"
)
MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAILBOX = envstr("MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAILBOX", "")
MASTHEAD_NEWSLETTER_RATE = envint("MASTHEAD_NEWSLETTER_RATE", 100)  # messages/second, 0 = unlimited
MASTHEAD_NEWSLETTER_BATCH_SIZE = envint("MASTHEAD_NEWSLETTER_BATCH_SIZE", 200)
MASTHEAD_NEWSLETTER_LEASE_SECONDS = envint("MASTHEAD_NEWSLETTER_LEASE_SECONDS", 300)
MASTHEAD_NEWSLETTER_MAX_ATTEMPTS = envint("MASTHEAD_NEWSLETTER_MAX_ATTEMPTS", 5)
MASTHEAD_NEWSLETTER_RETRY_BASE_SECONDS = envint("MASTHEAD_NEWSLETTER_RETRY_BASE_SECONDS", 60)
MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE = envint("MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE", 3 * 86400)
MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAX_AGE = envint(
    "MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAX_AGE", 365 * 86400
)
MASTHEAD_NEWSLETTER_CONFIRM_INTERVAL = envint("MASTHEAD_NEWSLETTER_CONFIRM_INTERVAL", 600)
MASTHEAD_NEWSLETTER_SIGNUPS_PER_IP_HOUR = envint("MASTHEAD_NEWSLETTER_SIGNUPS_PER_IP_HOUR", 20)

# --- Script clients get JSON errors (masthead.core.json_errors) ---------------------------
# /meter.json and the save, reaction and comment endpoints answer errors in JSON when a
# script asks (Accept: application/json, X-Requested-With, Sec-Fetch-Dest: empty).
MIDDLEWARE += ["masthead.core.json_errors.JsonErrorMiddleware"]

# --- Reply notifications (masthead.notifications) ----------------------------------------
# A reply to a member's comment shows in their header and on "My comments"; members who
# opt in also get email, at most one message every this many hours (replies batched).
INSTALLED_APPS += ["masthead.notifications"]
MASTHEAD_REPLY_EMAIL_HOURS = envint("MASTHEAD_REPLY_EMAIL_HOURS", 6)

# --- Member CSV export and import (masthead.members; Wagtail admin "Members CSV") ---------
INSTALLED_APPS += ["masthead.members"]
