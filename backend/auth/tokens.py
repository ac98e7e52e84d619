"""Emailed links and the device cookie: signed with SECRET_KEY, timed, and bound
to the state of the account they act on, so that each dies once it is used.

- A password-reset token binds the user's id and a digest of their password
  hash, email and last login: it dies when the password changes (using it
  changes it, so it works once), when the email changes, and when the user
  logs in meanwhile.
- A verification token binds the user's id, the address to verify and a digest
  of the account's state (its email and whether it is verified): the link of
  a registration dies once the account is verified, that of an email change
  once the email has changed.
- A device cookie names the accounts this browser has logged in to, each with a
  random nonce (OWASP's "device cookie"): such a browser is exempt from those
  accounts' lock (see backend/auth/views.py).
"""

import hashlib
import hmac
import secrets

from bson import ObjectId
from bson.errors import InvalidId
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from backend.auth import models

RESET_SALT = "password-reset"
VERIFY_SALT = "verify-email"
DEVICE_SALT = "device-cookie"
DEVICE_COOKIE = "device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
DEVICE_COOKIE_ACCOUNTS = 5  # the latest accounts this browser logged in to


def make_reset_token(user):
    return _serializer(RESET_SALT).dumps({"user": str(user["_id"]), "state": _reset_state(user)})


def user_for_reset_token(token):
    """The user whose password ``token`` may reset; None if it is forged, expired or used."""
    data = _load(RESET_SALT, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = data and _find_user(data.get("user"))
    if user is None or not hmac.compare_digest(_reset_state(user), str(data.get("state"))):
        return None
    return user


def make_verify_token(user, email):
    """A link that verifies ``email`` for ``user``: its own (registration) or a new one."""
    return _serializer(VERIFY_SALT).dumps(
        {"user": str(user["_id"]), "email": email, "state": _verify_state(user)}
    )


def verification(token):
    """``(user, email)`` for a live verification token, else None."""
    data = _load(VERIFY_SALT, token, current_app.config["VERIFY_EMAIL_MAX_AGE"])
    user = data and _find_user(data.get("user"))
    if user is None or not hmac.compare_digest(_verify_state(user), str(data.get("state"))):
        return None
    return user, data["email"]


def device_nonce(cookie, email):
    """The nonce this browser's device cookie holds for ``email``, or None."""
    return _device_entries(cookie).get(_email_digest(email))


def device_cookie_with(cookie, email):
    """The device cookie's new value, naming ``email`` (with a fresh nonce) first."""
    entries = _device_entries(cookie)
    entries.pop(_email_digest(email), None)
    entries = {_email_digest(email): secrets.token_urlsafe(12), **entries}
    kept = dict(list(entries.items())[:DEVICE_COOKIE_ACCOUNTS])
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT).dumps(kept)


def _device_entries(cookie):
    if not cookie:
        return {}
    try:
        entries = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT).loads(
            cookie
        )
    except BadSignature:
        return {}
    return entries if isinstance(entries, dict) else {}


def _load(salt, token, max_age):
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except BadSignature:  # SignatureExpired included
        return None
    return data if isinstance(data, dict) else None


def _find_user(user_id):
    try:
        return models.find_user(ObjectId(user_id))
    except (InvalidId, TypeError):
        return None


def _serializer(salt):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _reset_state(user):
    last_login = user.get("last_login_at")
    return _digest(
        user["password_hash"], user["email"], last_login.isoformat() if last_login else ""
    )


def _verify_state(user):
    return _digest(user["email"], str(models.is_verified(user)))


def _email_digest(email):
    return _digest(models.normalize_email(email))[:16]


def _digest(*parts):
    # A digest, not the values: a token's payload is readable.
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]
