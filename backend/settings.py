"""Settings, read only from the environment (and a `.env` file beside the project).

Every setting has one name, one default and one place: here.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_DIR / "var"
PUBLIC_DIR = PROJECT_DIR / "public"

APP_NAME = "Flaskbone"
APP_ENVIRONMENTS = ("development", "test", "production")
DEFAULT_DATABASE = "flaskbone"
BCRYPT_ROUNDS = 12
MAX_REQUEST_BYTES = 64 * 1024
DATABASE_TIMEOUT_MS = 2000
RETRY_AFTER_SECONDS = 5
SESSION_LIFETIME = timedelta(days=14)
SESSION_IDLE_TIMEOUT = 2 * 24 * 60 * 60
# A session's last use is written at most this often, not on every request.
SESSION_TOUCH_INTERVAL = 5 * 60
PASSWORD_RESET_MAX_AGE = 60 * 60
VERIFY_EMAIL_MAX_AGE = 2 * 24 * 60 * 60
SECRET_KEY_MIN_LENGTH = 32
MAIL_WORKERS = ("thread", "off")
# /api/events: a comment at least this often keeps proxies from closing a quiet
# stream; each process serves at most LIVE_MAX_STREAMS (see the README's worker model).
LIVE_KEEPALIVE_SECONDS = 15
LIVE_MAX_STREAMS = 200
LIVE_QUEUE_SIZE = 1000
SMTP_PORT = 587
SMTP_TLS_MODES = ("starttls", "ssl", "none")
DEVELOPMENT_MAIL_FROM = "no-reply@localhost"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says how to fix it."""


def load_settings(overrides=None):
    """Return the Flask config mapping for this process."""
    load_dotenv(PROJECT_DIR / ".env")
    env = {**os.environ, **(overrides or {})}
    app_env = env.get("APP_ENV", "production")
    if app_env not in APP_ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(APP_ENVIRONMENTS)}, not {app_env!r}.")
    production = app_env == "production"
    var_dir = Path(env.get("VAR_DIR", VAR_DIR))
    return {
        "APP_NAME": APP_NAME,
        "APP_ENV": app_env,
        "TESTING": app_env == "test",
        "SECRET_KEY": _secret_key(env.get("SECRET_KEY"), production, var_dir),
        "MONGO_URI": env.get("MONGO_URI", ""),
        "MONGO_DATABASE": env.get("MONGO_DATABASE", DEFAULT_DATABASE),
        "BCRYPT_ROUNDS": int(env.get("BCRYPT_ROUNDS", BCRYPT_ROUNDS)),
        "PUBLIC_DIR": Path(env.get("PUBLIC_DIR", PUBLIC_DIR)),
        "VAR_DIR": var_dir,
        "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A login lasts SESSION_LIFETIME from when it starts (its session
        # document expires then too), so the cookie is not re-sent each time.
        "PERMANENT_SESSION_LIFETIME": SESSION_LIFETIME,
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_SECURE": production,
        # __Host-: the browser takes it only over HTTPS, for this host alone, path /.
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "SESSION_IDLE_TIMEOUT": _seconds(env, "SESSION_IDLE_TIMEOUT", SESSION_IDLE_TIMEOUT),
        "SESSION_TOUCH_INTERVAL": SESSION_TOUCH_INTERVAL,
        # Flask refuses (400) a request whose Host is not one of these; unset: any.
        "TRUSTED_HOSTS": _host_list(env.get("TRUSTED_HOSTS", "")),
        "WTF_CSRF_TIME_LIMIT": None,
        "TRUSTED_PROXIES": _proxy_count(env.get("TRUSTED_PROXIES") or "0"),
        "PASSWORD_RESET_MAX_AGE": _seconds(env, "PASSWORD_RESET_MAX_AGE", PASSWORD_RESET_MAX_AGE),
        "VERIFY_EMAIL_MAX_AGE": _seconds(env, "VERIFY_EMAIL_MAX_AGE", VERIFY_EMAIL_MAX_AGE),
        "LIVE_KEEPALIVE_SECONDS": float(
            env.get("LIVE_KEEPALIVE_SECONDS") or LIVE_KEEPALIVE_SECONDS
        ),
        "LIVE_MAX_STREAMS": int(env.get("LIVE_MAX_STREAMS") or LIVE_MAX_STREAMS),
        "LIVE_QUEUE_SIZE": LIVE_QUEUE_SIZE,
        **_mail_settings(env, production),
    }


def _mail_settings(env, production):
    """SMTP for sending email; without SMTP_HOST, mail goes to var/mail/ (see backend/mail.py)."""
    settings = {
        "SMTP_HOST": env.get("SMTP_HOST", ""),
        "SMTP_PORT": int(env.get("SMTP_PORT") or SMTP_PORT),
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_TLS": env.get("SMTP_TLS") or "starttls",
        "MAIL_FROM": env.get("MAIL_FROM") or DEVELOPMENT_MAIL_FROM,
        "PUBLIC_URL": env.get("PUBLIC_URL", "").rstrip("/"),
        # Tests deliver the outbox themselves, when they choose (see tests/outbox.py).
        "MAIL_WORKER": env.get("MAIL_WORKER")
        or ("off" if env.get("APP_ENV") == "test" else "thread"),
    }
    if settings["SMTP_TLS"] not in SMTP_TLS_MODES:
        raise ConfigError(f"SMTP_TLS must be one of {', '.join(SMTP_TLS_MODES)}.")
    if settings["MAIL_WORKER"] not in MAIL_WORKERS:
        raise ConfigError(f"MAIL_WORKER must be one of {', '.join(MAIL_WORKERS)}.")
    if production and settings["SMTP_HOST"]:
        # Links built from the request's Host header could point anywhere.
        for name in ("MAIL_FROM", "PUBLIC_URL"):
            if not env.get(name):
                raise ConfigError(f"SMTP_HOST is set but {name} is not; see .env.example.")
    return settings


def _seconds(env, name, default):
    value = env.get(name) or str(default)
    if not (value.isascii() and value.isdigit() and int(value) > 0):
        raise ConfigError(f"{name} must be a number of seconds, not {value!r}.")
    return int(value)


def _host_list(value):
    """``TRUSTED_HOSTS=app.example.com,.example.org``: Flask's list (a leading dot: subdomains too)."""
    return [host.strip() for host in value.split(",") if host.strip()] or None


def _proxy_count(value):
    """How many proxies in front of the app set X-Forwarded-* headers (see create_app)."""
    if not (value.isascii() and value.isdigit()):
        raise ConfigError(
            f"TRUSTED_PROXIES must be the number of proxies in front of the app "
            f"(0 when clients reach it directly), not {value!r}."
        )
    return int(value)


def _secret_key(value, production, var_dir):
    if value and production and len(value) < SECRET_KEY_MIN_LENGTH:
        raise ConfigError(
            f"SECRET_KEY is too short: production needs at least {SECRET_KEY_MIN_LENGTH} "
            "characters, for example:\n"
            "  python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    if value:
        return value
    if production:
        raise ConfigError(
            "SECRET_KEY is not set. Set it in the environment or in .env, for example:\n"
            "  echo \"SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')\" >> .env"
        )
    return _development_secret_key(var_dir)


def _development_secret_key(var_dir):
    """Make a key once and keep it in var/, so sessions survive restarts."""
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
