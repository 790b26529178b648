"""Settings: read only from the environment, with defaults that give a working first run.

The embedded default (no variable set, DEBUG=true): SQLite, Celery tasks run in-process,
e-mail printed on the console. Production values come from the environment (see README).
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from charte.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# A default key is only acceptable for a local development run.
SECRET_KEY = env_str("SECRET_KEY", "dev-seulement-ne-pas-utiliser-en-production" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "bootstrap",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # single-use recovery codes
    # Apps of the project, in the order the data flows (an app imports only from earlier ones).
    "territoires",
    "charte",
    "diagnostic",
    "priorisation",
    "plan_actions",
    "evaluation",
    "rapports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "charte.middleware.CharteMiddleware",
    "charte.double_facteur.DoubleFacteurObligatoireMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as its documentation asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (Django 5.2 has none built in): scripts only from our own static files, never
# inline. Inline style attributes stay allowed (progress bars, chart colours) — they cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "charte.urls"
WSGI_APPLICATION = "charte.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded first-run database: covering indexes (W040) and NULLS NOT DISTINCT (W047) are
    # PostgreSQL features that production relies on; SQLite simply goes without them.
    SILENCED_SYSTEM_CHECKS = ["models.W040", "models.W047"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Survey results group hundreds of thousands of rows: with PostgreSQL's default 4 MB the
    # grouping spills to disk and takes twice as long.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c work_mem={env_str('PG_WORK_MEM', '32MB')}"
    # Every <select> of a model form iterates its queryset with .iterator(): with server-side cursors each list
    # costs four round trips (DECLARE … WITH HOLD, FETCH, FETCH, CLOSE) instead of one — the plan's filter with
    # five lists made 20. Our largest iteration (the raw answers export, 20 000 rows) fits in memory.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # A server that hangs (or a network that drops packets) would hold each request until gunicorn kills its
    # worker: after this many seconds the page says the service is unavailable instead (libpq's minimum is 2).
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = env_int("PG_CONNECT_TIMEOUT", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "charte.Utilisateur"
AUTHENTICATION_BACKENDS = [
    # First: refuses any login while the account is locked out after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "charte.backends.IdentifiantOuCourrielBackend",
]
# Brute force: after 5 failures on the same account from the same address, 15 minutes of lock-out
# (axes' defaults lock by address alone and forever). The CNIL accepts 8-character passwords of 3
# kinds when such a lock-out exists; ours ask for more anyway.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "comptes/bloque.html"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "comptes:connexion"
LOGIN_REDIRECT_URL = "charte:liste"
LOGOUT_REDIRECT_URL = "comptes:connexion"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
# Two-factor authentication (TOTP apps, recovery codes): open to everyone, and required from
# coordinators when this is true (they are sent to the setup page before any charter page).
DEUX_FACTEURS_OBLIGATOIRE_COORDINATEURS = env_bool("DEUX_FACTEURS_OBLIGATOIRE_COORDINATEURS", False)
OTP_TOTP_ISSUER = "Chartes Avec les familles (MSA)"
INVITATION_VALIDITE_JOURS = env_int("INVITATION_VALIDITE_JOURS", 14)

LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Cache: in-process by default; Redis (shared by every web node) as soon as CACHE_URL is set.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "charte.cache_redis.CacheRedis", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# E-mail: console by default, SMTP as soon as EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "courriels"))
# Absolute address of the site, for links in e-mails sent by background tasks.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Chartes « Avec les familles » <ne-pas-repondre@chartes.msa.local>")

# Celery: without a broker the tasks run in-process (embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A request must not hang when Redis is down: the report waits in its row and is queued again later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# socket_timeout: a Redis that hangs (frozen, or cut off without closing the connection) would otherwise
# hold the publishing request forever (kombu's redis transport docs).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
CELERY_BEAT_SCHEDULE = {
    # Jobs lost on the way or left by a dead worker are queued again (see rapports/services.py).
    # Expires: while every worker is down, beat's ticks must not pile up in the queue.
    "relancer-rapports": {"task": "rapports.tasks.relancer_rapports", "schedule": 15.0, "options": {"expires": 15}},
    # Measurements due are recalled to the organisations responsible, each morning.
    "rappeler-mesures": {"task": "evaluation.tasks.rappeler_mesures_attendues", "schedule": crontab(hour=8, minute=0)},
    # Families' raw answers of the charters over for long enough are anonymised, each night.
    "appliquer-retention": {"task": "diagnostic.tasks.appliquer_retention", "schedule": crontab(hour=3, minute=30)},
}

# Behind HTTPS in production; a local run or the test suite sets HTTPS=false.
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# Public survey: answers accepted per minute from one address (0: no limit). A school's or a town
# hall's network may gather many families behind one address: keep it generous.
LIMITE_QUESTIONNAIRES_PAR_MINUTE = env_int("LIMITE_QUESTIONNAIRES_PAR_MINUTE", 60)
# RGPD: months after a charter's end (its last stage) beyond which the families' raw answers are
# anonymised, only the counts being kept (diagnostic/retention.py).
RETENTION_REPONSES_MOIS = env_int("RETENTION_REPONSES_MOIS", 12)
if RETENTION_REPONSES_MOIS < 0:
    raise ImproperlyConfigured(
        f"RETENTION_REPONSES_MOIS={RETENTION_REPONSES_MOIS} : un nombre de mois positif est attendu."
    )
SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
# No SESSION_EXPIRE_AT_BROWSER_CLOSE: browsers that restore their tabs keep such cookies anyway, and the
# server-side age above is what really bounds a forgotten or stolen session.
# Sessions read from the cache (Redis in production), written through to the database: one query less on
# every page, and nobody logged out when the cache restarts.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
