"""Settings shared by every environment.

Safe for production: everything that differs between machines comes from the environment, and
with nothing set the site runs embedded (SQLite, tasks run in-process, email written to files).
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF

from sn_site.map_tiles import tile_origins

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="")
# Earlier keys, while what they signed or sealed is still in use (links in emails, pooled equality answers).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "sn_site",
    "geography",
    "figures",
    "priorities",
    "newsletters",
    "ward_panels",
    "open_data",
    "home",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
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
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "js_lib_leaflet",
    "corsheaders",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: every log line and error of a request carries its id.
    "sn_site.operations.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (the admin's own under /admin/) and Permissions-Policy.
    "sn_site.security.SiteSecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # ETag on every GET (a hash of the body) and 304 for If-None-Match / If-Modified-Since.
    "django.middleware.http.ConditionalGetMiddleware",
    # Static files: hashed names cached for a year, compressed (sn_site/static_files.py).
    "sn_site.static_files.StaticFilesMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # NUL or a lone surrogate anywhere in a request, or JSON nested too deeply: a 400 (sn_site/security.py).
    "sn_site.security.UnreadableInputMiddleware",
    # An anonymous visitor's page from the cache, answered here: every header above is still set,
    # and what is below (sessions, sign-in, CSRF, lock-outs, form limits) is not needed for it.
    "sn_site.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sn_site.two_factor.AdminTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
    # Every public form post counts against a per-address limit (sn_site/security.py).
    "sn_site.security.PublicFormRateLimitMiddleware",
    # An application error no view caught: its page, with its status (sn_site/errors.py).
    "sn_site.errors.AppErrorMiddleware",
]

ROOT_URLCONF = "sn_site.urls"
WSGI_APPLICATION = "sn_site.wsgi.application"

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
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

if "DATABASE_URL" not in env.ENVIRON:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded SQLite database lives here
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # While PostgreSQL is away, fail within seconds (a 503) rather than hold the request.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Redis away is a cache miss, not an error (sn_site/cache.py); short timeouts so it is quick.
    CACHES["default"]["BACKEND"] = "sn_site.cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {
            "socket_connect_timeout": env.float("CACHE_TIMEOUT", default=0.5),
            "socket_timeout": env.float("CACHE_TIMEOUT", default=0.5),
        }
    )
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 20000)  # lookups, a few MB

AUTHENTICATION_BACKENDS = [
    # First, so that a username locked out from an address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Sign-in lock-out (django-axes): this many wrong passwords for one username from one address
# locks that pair out for AXES_COOLOFF_MINUTES. Per pair, so that nobody can lock an officer out
# from elsewhere; guessing across usernames is held back by SN_ADMIN_LOGIN_RATE per address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "sn_site/admin/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "sn_site.throttles.client_address"
AXES_VERBOSE = False
# Two-factor sign-in (sn_site/two_factor.py): available to everyone, required for admins when on.
SN_TWO_FACTOR_REQUIRED_FOR_ADMINS = env.bool("SN_TWO_FACTOR_REQUIRED_FOR_ADMINS", default=False)
OTP_TOTP_ISSUER = "Safer Neighbourhoods"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "static_collected")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Email: EMAIL_URL such as smtp://user:pass@host:587 (see django-environ); by default each
# message is written to a file under var/email so nothing leaves the machine.
_email = env.email_url("EMAIL_URL", default="filemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"] or str(VAR_DIR / "email")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Safer Neighbourhoods <noreply@localhost>")
# Dates in London's time zone (+0000 or +0100), not "-0000", which says no zone is known.
EMAIL_USE_LOCALTIME = True
# Where replies to ward panel emails go when neither the ward's page nor its borough's gives a
# team email: a mailbox people read, never a no-reply address (one is ignored). Unset: no Reply-To.
SN_REPLY_TO_EMAIL = env.str("SN_REPLY_TO_EMAIL", default="")

# Celery: with no broker configured, tasks run in-process as they are queued.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TIMEZONE = TIME_ZONE
# Run by `celery -A sn_site beat` (one beat process for the whole site).
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-pages": {"task": "priorities.tasks.publish_scheduled", "schedule": 60.0},
    "survey-reminders": {"task": "ward_panels.tasks.reminders_send", "schedule": 3600.0},
    "survey-personal-data-purge": {"task": "ward_panels.tasks.personal_data_purge", "schedule": 86400.0},
    "newsletter-deliveries-sweep": {"task": "newsletters.tasks.deliveries_sweep", "schedule": 60.0},
    "newsletter-subscriber-data-purge": {"task": "newsletters.tasks.subscriber_data_purge", "schedule": 86400.0},
    "panel-members-left-purge": {"task": "ward_panels.tasks.members_left_purge", "schedule": 86400.0},
    "survey-equality-answers-purge": {"task": "ward_panels.tasks.equality_answers_purge", "schedule": 86400.0},
    "neighbourhood-proposals-purge": {"task": "priorities.tasks.neighbourhood_proposals_purge", "schedule": 86400.0},
    "survey-equality-pool-flush": {"task": "ward_panels.tasks.equality_pool_flush", "schedule": 900.0},
    # Does nothing unless SN_CRIME_DOWNLOAD_URL (or the survey's) is set; an unchanged release changes nothing.
    "figures-refresh": {"task": "figures.tasks.figures_refresh", "schedule": 86400.0},
}
# A claimed newsletter delivery not handed over within this long is another worker's to send; a
# batch's task is redelivered after the broker's visibility timeout. Both must be longer than any
# batch takes (500 messages at SN_NEWSLETTER_RATE).
SN_NEWSLETTER_CLAIM_SECONDS = env.int("SN_NEWSLETTER_CLAIM_SECONDS", default=900)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=SN_NEWSLETTER_CLAIM_SECONDS + 300)
}
# Newsletter messages a second, across all workers (0: no limit), to keep within a provider's limit.
SN_NEWSLETTER_RATE = env.int("SN_NEWSLETTER_RATE", default=50)
# A shared secret for the delivery events endpoint (bounces, complaints); unset, it refuses all.
SN_NEWSLETTER_WEBHOOK_SECRET = env.str("SN_NEWSLETTER_WEBHOOK_SECRET", default="")

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "sn_site.api.JSONOnly",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["sn_site.throttles.AnonymousRateLimit"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("SN_API_ANON_RATE", default="300/minute"),
        # Answers to surveys, per client address, on top of the anonymous limit.
        "survey_answers": env.str("SN_SURVEY_ANSWER_RATE", default="10/hour"),
        # Requests to join a ward panel from its ward page, per client address.
        "panel_join": env.str("SN_PANEL_JOIN_RATE", default="5/hour"),
        # Newsletter sign-ups from ward and borough pages, per client address.
        "newsletter_signup": env.str("SN_NEWSLETTER_SIGNUP_RATE", default="5/hour"),
        # Proposals of natural neighbourhoods, per client address.
        "neighbourhood_proposals": env.str("SN_NEIGHBOURHOOD_PROPOSAL_RATE", default="5/hour"),
        # Test copies of a newsletter each editor may send themselves.
        "newsletter_test": env.str("SN_NEWSLETTER_TEST_RATE", default="10/hour"),
        # Posts to any of the public site's forms, per client address.
        "public_forms": env.str("SN_PUBLIC_FORM_RATE", default="60/hour"),
        # Admin sign-in attempts per client address, whichever usernames they try.
        "admin_login": env.str("SN_ADMIN_LOGIN_RATE", default="30/hour"),
    },
    # How many proxies (load balancer, CDN) sit in front of the site, so throttling counts each
    # client by its own address from X-Forwarded-For rather than the proxy's.
    "NUM_PROXIES": env.int("SN_NUM_PROXIES", default=None),
    "EXCEPTION_HANDLER": "sn_site.api.error_response",
    "UNAUTHENTICATED_USER": None,
}
# How long an API answer built from published content is reused. Publishing anything, or importing
# the geography, starts afresh at once where the cache is shared; 0 turns it off.
SN_API_CACHE_SECONDS = env.int("SN_API_CACHE_SECONDS", default=300)

SPECTACULAR_SETTINGS = {
    "TITLE": "Safer Neighbourhoods API",
    "DESCRIPTION": (
        "Open data about London's Safer Neighbourhoods Teams: boroughs, wards, teams, priorities "
        '("we asked, you said, we did") and meetings, plus a police.uk-compatible API under '
        "/api/police-uk/. Read-only and free to use; anonymous clients are rate limited."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/(v1/)?",
    "PREPROCESSING_HOOKS": ["sn_site.api.public_endpoints_only"],
}

# Anyone may read the APIs from a web page on another site; nothing is sent with credentials.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False

WAGTAIL_SITE_NAME = "Safer Neighbourhoods"
# London's site: every time in the admin is London time (no time zone to choose on the Account page,
# where Wagtail's full list held names browsers refuse, such as "localtime").
WAGTAIL_USER_TIME_ZONES = [TIME_ZONE]
# British dates in the admin: its date pickers write and show 25/12/2026 and 25/12/2026 18:30 (forms
# also take 2026-12-25). Only British English to choose on the Account page, so nobody's admin turns
# to American dates, where 01/02/2026 is the 2nd of January.
WAGTAILADMIN_PERMITTED_LANGUAGES = [("en-gb", "English (UK)")]
WAGTAIL_DATE_FORMAT = "%d/%m/%Y"
WAGTAIL_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
# The admin calls no other site: no Gravatar (officers' email hashes) and no release check.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# On PostgreSQL, words are reduced to their English stems ("burglaries" finds "burglary") whatever
# the server's default_text_search_config. SQLite's full-text search (FTS5) ignores this: it matches
# whole words only. After changing it, rebuild the index (manage.py update_index).
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "english"},
}
# Every image needs a description, its alt text (sn_site/image_forms.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "sn_site.image_forms.ImageForm"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

# Where the official open data lives: OS Code-Point Open and the ONS borough outlines.
SN_DATA_DIR = env.str("SN_DATA_DIR", default="")
# Releases of the MPS ward crime table ("MPS Ward Level Crime (most recent 24 months)"): a CSV file
# or a folder of them, merged by import_crime; and where the scheduled refresh fetches the latest
# release (empty: no scheduled refresh). The MPS publishes it monthly on the London Datastore.
SN_CRIME_DATA = env.str("SN_CRIME_DATA", default="")
SN_CRIME_DOWNLOAD_URL = env.str("SN_CRIME_DOWNLOAD_URL", default="")
# MOPAC's Public Attitude Survey borough table (PAS_Dashboard_Borough.csv, the dashboard workbook,
# or a folder holding one), read by `manage.py import_confidence` when it is given no path.
SN_CONFIDENCE_DATA = env.str("SN_CONFIDENCE_DATA", default="")
# Where the scheduled refresh fetches the latest table (the workbook, .xlsx, or a CSV export); empty: none.
SN_CONFIDENCE_DOWNLOAD_URL = env.str("SN_CONFIDENCE_DOWNLOAD_URL", default="")
# How long a postcode lookup's answer is reused. Imports and page changes start afresh at once
# where the cache is shared (CACHE_URL=redis://...); with the per-process default, within this.
SN_LOOKUP_CACHE_SECONDS = env.int("SN_LOOKUP_CACHE_SECONDS", default=600)
# How long an anonymous visitor's page is served from the cache (0 turns the page cache off).
# Publishing anything starts it afresh at once; this bounds how late an upcoming meeting leaves.
SN_PAGE_CACHE_SECONDS = env.int("SN_PAGE_CACHE_SECONDS", default=300)
# How long after a survey closes its identifiable data (who was invited, respondents' keys, free
# text) is kept before the periodic purge deletes it. Counted answers are kept.
SN_SURVEY_RETENTION_DAYS = env.int("SN_SURVEY_RETENTION_DAYS", default=180)
# How long other personal data is kept; periodic tasks (CELERY_BEAT_SCHEDULE) delete it on time, and
# the privacy notice (/privacy/) shows these same numbers. See docs/privacy.md.
# Newsletter subscriptions never confirmed are deleted after this many days.
SN_SUBSCRIBER_UNCONFIRMED_DAYS = env.int("SN_SUBSCRIBER_UNCONFIRMED_DAYS", default=30)
# Days after someone unsubscribes from everything (or their address is suppressed) before their
# address goes; also how long each newsletter delivery stays linked to its recipient.
SN_SUBSCRIBER_RETENTION_DAYS = env.int("SN_SUBSCRIBER_RETENTION_DAYS", default=365)
# Days after a ward panel member leaves before their details and answers are erased.
SN_PANEL_MEMBER_RETENTION_DAYS = env.int("SN_PANEL_MEMBER_RETENTION_DAYS", default=365)
# Days after officers accept or decline a resident's proposal of a natural neighbourhood before it
# (with the proposer's email address and postcode) is deleted; an accepted one's page stays.
SN_PROPOSAL_RETENTION_DAYS = env.int("SN_PROPOSAL_RETENTION_DAYS", default=90)
# Days after a survey closes before its (anonymous) equality answers are deleted.
SN_EQUALITY_RETENTION_DAYS = env.int("SN_EQUALITY_RETENTION_DAYS", default=730)
# The public "You said" summary of a survey is shown only when at least this many people answered.
SN_PUBLIC_RESULTS_MIN_ANSWERS = env.int("SN_PUBLIC_RESULTS_MIN_ANSWERS", default=5)
# Equality answers wait, sealed, in a pool until at least this many for a survey (or it closes) are
# written together in shuffled order, so that none can be told from the others by when it was written.
SN_EQUALITY_BATCH = env.int("SN_EQUALITY_BATCH", default=10)
# Who is responsible for the personal data (the data controller), and where people ask for a copy
# of theirs or for it to be erased; both appear on the privacy notice.
SN_DATA_CONTROLLER = env.str("SN_DATA_CONTROLLER", default="the Metropolitan Police Service")
SN_PRIVACY_CONTACT_EMAIL = env.str("SN_PRIVACY_CONTACT_EMAIL", default="privacy@example.org")
# The street map on ward pages (docs/deploying.md, "Street maps"): a tile server's Leaflet URL
# template, such as https://tiles.example.org/{z}/{x}/{y}.png, and the credit its provider requires
# on the map (plain text). Unset: no street map, only the outline the site draws itself. The
# Content Security Policy allows images from that server's origins (SN_MAP_TILES_ORIGINS) and no other.
SN_MAP_TILES_URL = env.str("SN_MAP_TILES_URL", default="")
SN_MAP_TILES_ATTRIBUTION = env.str("SN_MAP_TILES_ATTRIBUTION", default="")
# The closest zoom the map offers (the server's own limit, or the last one a plan includes).
SN_MAP_TILES_MAX_ZOOM = env.int("SN_MAP_TILES_MAX_ZOOM", default=18)
SN_MAP_TILES_ORIGINS = tile_origins(SN_MAP_TILES_URL, SN_MAP_TILES_ATTRIBUTION)
# Code-Point Open, zipped CSV, from the Ordnance Survey's downloads service.
SN_CODEPOINT_DOWNLOAD_URL = env.str(
    "SN_CODEPOINT_DOWNLOAD_URL",
    default="https://api.os.uk/downloads/v1/products/CodePointOpen/downloads?area=GB&format=CSV&redirect",
)

# Response headers (see also sn_site/security.py for the Content Security Policy).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# The public site's Content Security Policy: everything from this site only, no inline script or
# style, nothing framed or posted elsewhere; images from the street map's tile server too, when one
# is configured. The admin's and the API docs' are built from it in
# sn_site/security.py. A view with an inline script reads request.csp_nonce (NONCE).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *SN_MAP_TILES_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Logs: one JSON object a line (LOG_FORMAT=json, the default in production) or plain text, each
# with the id of the request or task it belongs to.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sn_site.operations.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "sn_site.operations.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Wagtail's own background jobs (search and reference indexes) log every run at INFO.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}
# Workers log through the same handler, so task lines carry the id of the request that queued them.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors to Sentry (or a Sentry-compatible service such as GlitchTip) when SENTRY_DSN is set.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default=None),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,  # no addresses, cookies or signed-in users' details
    )
