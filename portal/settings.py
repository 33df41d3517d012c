"""Django's settings for the portal, from the contract's environment variables (places.py).

Safe by default: every page needs a session (LoginRequiredMiddleware), sessions end after
an idle hour and when the browser closes, logins are rate-limited (django-axes), forms carry
CSRF tokens, and every answer has a Content-Security-Policy, X-Frame-Options DENY,
nosniff and a same-origin Referrer-Policy. Behind a TLS reverse proxy set
BANGFU_PORTAL_HTTPS=1 (docs/deploy.md)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from csp.constants import NONE, SELF

from portal.places import databases, portal_dir, secret_key

BASE_DIR = Path(__file__).resolve().parent
PORTAL_DIR = portal_dir()


def _flag(variable: str) -> bool:
    return os.environ.get(variable, "").strip().lower() in {"1", "true", "yes", "on"}


def _list(variable: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(variable, default).split(",") if item.strip()]


SECRET_KEY = secret_key()
DEBUG = False
ALLOWED_HOSTS = _list("BANGFU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _list("BANGFU_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "portal.context.scope",
    ]},
}]

DATABASES = databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Five wrong passwords for one account from one address lock that pair out for 15 minutes
# (by address too, so that a stranger cannot lock a colleague out from elsewhere). The
# address is REMOTE_ADDR only: behind a reverse proxy waitress sets it from the proxy's
# X-Forwarded-For (BANGFU_TRUSTED_PROXY), so a client cannot choose it with a header.
AXES_FAILURE_LIMIT = int(os.environ.get("BANGFU_LOGIN_ATTEMPTS", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "portal/locked.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

SESSION_COOKIE_AGE = int(os.environ.get("BANGFU_SESSION_SECONDS", "3600"))
SESSION_SAVE_EVERY_REQUEST = True  # the hour counts from the last request: an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

HTTPS = _flag("BANGFU_PORTAL_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The site's pages load their scripts from its assets/ and embed figures as JSON; plotly
# writes <style> elements while it draws, and tables download as blob: URLs.
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF, "'unsafe-inline'"],
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF, "blob:"],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}}

# Uploads: Django keeps a file of up to 2.5 MB in memory and writes larger ones to a
# temporary file; the count and size limits are the portal's (portal/uploads.py).
MAX_UPLOAD_FILES = int(os.environ.get("BANGFU_UPLOAD_FILES", "20"))
MAX_UPLOAD_MB = float(os.environ.get("BANGFU_UPLOAD_MB", "10"))
DATA_UPLOAD_MAX_NUMBER_FILES = MAX_UPLOAD_FILES
FILE_UPLOAD_TEMP_DIR = None
FILE_UPLOAD_PERMISSIONS = 0o640

# Chinese for everyone, whatever language the browser asks for (no LocaleMiddleware).
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = os.environ.get("TZ") or "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# The admin's styles and scripts, served by WhiteNoise from the installed packages (nothing
# to collect before serving; they are Django's, not data).
STATIC_URL = "static/"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.security": {"handlers": ["console"], "level": "WARNING"},
                "portal": {"handlers": ["console"], "level": "INFO"}},
}
