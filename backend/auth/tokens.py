"""Password-reset tokens: signed with SECRET_KEY, timed, and bound to the password.

A token carries the user's id and a digest of their password hash, so it dies
as soon as the password changes; using it changes the password, which makes
it work only once.
"""

import hashlib
import hmac

from bson import ObjectId
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from backend.auth import models

SALT = "password-reset"


def make_reset_token(user):
    return _serializer().dumps({"user": str(user["_id"]), "password": _digest(user)})


def user_for_reset_token(token):
    """The user whose password ``token`` may reset; None if it is forged, expired or used."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadSignature:  # SignatureExpired included
        return None
    user = models.find_user(ObjectId(data["user"]))
    if user is None or not hmac.compare_digest(_digest(user), data["password"]):
        return None
    return user


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _digest(user):
    # A digest, not the hash itself: the token's payload is readable.
    return hashlib.sha256(user["password_hash"].encode()).hexdigest()[:16]
