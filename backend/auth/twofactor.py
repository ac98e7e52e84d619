"""Two-factor login: TOTP (an authenticator app's six-digit codes, RFC 6238, with
pyotp) and single-use recovery codes. Passkeys are in backend/auth/passkeys.py.

Stored in the user's document:

- ``totp``: ``{"secret", "last_step", "enabled_at"}``. ``last_step`` is the time
  step (30 s) of the last code accepted: a code is taken only for a later step,
  by one atomic update, so a code seen over a shoulder (or sent twice at once)
  works once. One step of clock drift either way is allowed (pyotp's
  ``valid_window=1``).
- ``recovery_codes``: SHA-256 digests of ten random codes, shown once when made;
  one is used up by an atomic ``$pull`` of its digest.

Two-factor login is on when TOTP is on or the user has a passkey; the second
step of the login (backend/auth/views.py) then asks for one of them.
"""

import hashlib
import hmac
import secrets
import time

import pyotp
import segno

from backend.auth import passkeys
from backend.extensions import mongo
from backend.serialization import utc_now

USERS = "users"
RECOVERY_CODES = 10
RECOVERY_CODE_BYTES = 5  # ten hex digits: 40 bits each, and ten tries before a lock
VALID_WINDOW = 1  # steps of clock drift allowed either way


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(secret, email, issuer):
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_code_data_uri(uri):
    """The otpauth URI as a QR code, an SVG ``data:`` URI for an ``<img>``: no script,
    nothing from elsewhere, so the page's CSP stays as strict as ever."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#1a1a1a")


def normalize_code(code):
    return "".join((code or "").split()).replace("-", "").lower()


def matching_step(secret, code, now=None):
    """The time step whose code ``code`` is (within VALID_WINDOW), or None."""
    code = normalize_code(code)
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def is_totp_on(user):
    return bool(user.get("totp"))


def is_on(user):
    """Does the user's login need a second step?"""
    return is_totp_on(user) or passkeys.count(user["_id"]) > 0


def enable_totp(user_id, secret, step):
    mongo.db[USERS].update_one(
        {"_id": user_id},
        {"$set": {"totp": {"secret": secret, "last_step": step, "enabled_at": utc_now()}}},
    )


def disable_totp(user_id):
    mongo.db[USERS].update_one({"_id": user_id}, {"$unset": {"totp": ""}})


def use_totp_code(user, code):
    """True if ``code`` is the user's current code and was not used before; it is
    used up (no replay within its window)."""
    totp = user.get("totp")
    if not totp:
        return False
    step = matching_step(totp["secret"], code)
    if step is None:
        return False
    won = mongo.db[USERS].update_one(
        {"_id": user["_id"], "totp.secret": totp["secret"], "totp.last_step": {"$lt": step}},
        {"$set": {"totp.last_step": step}},
    )
    return won.modified_count == 1


def new_recovery_codes(user_id):
    """Ten new codes (the old ones die), to be shown once: only digests are kept."""
    codes = [secrets.token_hex(RECOVERY_CODE_BYTES) for _ in range(RECOVERY_CODES)]
    mongo.db[USERS].update_one(
        {"_id": user_id}, {"$set": {"recovery_codes": [_digest(code) for code in codes]}}
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_recovery_code(user, code):
    """True if ``code`` is one of the user's unused recovery codes; it is used up."""
    code = normalize_code(code)
    if len(code) != 2 * RECOVERY_CODE_BYTES:
        return False
    won = mongo.db[USERS].update_one(
        {"_id": user["_id"], "recovery_codes": _digest(code)},
        {"$pull": {"recovery_codes": _digest(code)}},
    )
    return won.modified_count == 1


def recovery_codes_left(user):
    return len(user.get("recovery_codes") or [])


def forget_recovery_codes(user_id):
    mongo.db[USERS].update_one({"_id": user_id}, {"$unset": {"recovery_codes": ""}})


def use_code(user, code):
    """A TOTP code or a recovery code: ``"totp"``, ``"recovery"`` or None."""
    if use_totp_code(user, code):
        return "totp"
    if use_recovery_code(user, code):
        return "recovery"
    return None


def _digest(code):
    # Recovery codes are random (40 bits), so a fast digest is enough to keep
    # a copy of the database from logging anyone in.
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()
