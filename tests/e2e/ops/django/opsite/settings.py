"""Settings of the django-oidc-provider 0.9.0 test OP (loopback, plain http, throw-away SQLite DB).

Facts these settings rely on are in /work/shared/OPS.md.
"""
import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

PORT = int(os.environ.get("DJANGO_OP_PORT", "9020"))
SITE_URL = os.environ.get("DJANGO_OP_SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
RP_ORIGINS = [
    o.strip().rstrip("/")
    for o in os.environ.get("DJANGO_OP_RP_ORIGINS", "http://127.0.0.1:9030").split(",")
    if o.strip()
]
DATA_DIR = Path(os.environ.get("DJANGO_OP_DATA_DIR") or tempfile.mkdtemp(prefix="django-op-"))

SECRET_KEY = "test-only-not-secret-django-oidc-provider-op"
DEBUG = True  # also makes runserver serve oidc_provider's static sha256.min.js
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "oidc_provider",
    "opsite",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oidc_provider.middleware.SessionManagementMiddleware",
]

ROOT_URLCONF = "opsite.urls"

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
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "op.sqlite3"),
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# --- OpenID Connect provider ------------------------------------------------------------------
OIDC_SESSION_MANAGEMENT_ENABLE = True
# The default is random per process; fixed so the unauthenticated browser state is stable.
OIDC_UNAUTHENTICATED_SESSION_MANAGEMENT_KEY = "oidc-session-monitor-test-op-unauthenticated-key-0123456789"
OIDC_LOGIN_URL = LOGIN_URL

# --- https behind tests/support/tls.mjs's proxy (issue 13): cookies as in production ----------------
if os.environ.get("DJANGO_OP_TLS") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = [SITE_URL]
    SESSION_COOKIE_SAMESITE = "None"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SAMESITE = "None"
    CSRF_COOKIE_SECURE = True
    MIDDLEWARE.insert(
        MIDDLEWARE.index("oidc_provider.middleware.SessionManagementMiddleware"),
        "opsite.tls.CrossSiteBrowserStateCookie",
    )

# --- CORS for browser code exchange / userinfo from the RP pages ------------------------------
CORS_ALLOWED_ORIGINS = RP_ORIGINS
CORS_URLS_REGEX = r"^/openid/.*$"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"oidc_provider": {"handlers": ["console"], "level": "INFO"}},
}


# Parent watchdog: when started by ../index.mjs, exit if that process is gone (e.g. SIGKILLed).
if os.environ.get("OP_PARENT_PID"):
    import threading
    import time

    _parent = int(os.environ["OP_PARENT_PID"])

    def _watch_parent():
        while True:
            time.sleep(1)
            if os.getppid() != _parent:
                import shutil

                shutil.rmtree(DATA_DIR, ignore_errors=True)
                os._exit(0)

    threading.Thread(target=_watch_parent, name="parent-watchdog", daemon=True).start()
