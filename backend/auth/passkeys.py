"""Passkeys (WebAuthn, with the ``webauthn`` library): registered from the account
page, used to log in alone (discoverable credentials, user verification
required) or as the second step after the password.

- The relying party is the site of ``PUBLIC_URL`` (its host is the RP id, its
  scheme and host the origin), or in development the request's host. Browsers
  refuse an IP address as an RP id: in ``make dev`` open http://localhost:8000.
- Each challenge is stored in MongoDB (collection ``webauthn_challenges``) with
  what it is for, and taken out by one ``find_one_and_delete`` when it is
  answered: single use, even if the signed session cookie that names it is
  replayed; it expires after CHALLENGE_MAX_AGE.
- The signature counter is checked (by the library) and stored after each use:
  an authenticator that reports a counter no greater than the last one
  (a cloned key) is refused.
- Passkeys are kept in the collection ``passkeys``, one document each; the user
  handle given to authenticators is a random ``webauthn_id`` of the user's,
  never their database id or email.
"""

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from bson import ObjectId
from bson.errors import InvalidId
from flask import current_app, request
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from backend.extensions import mongo
from backend.serialization import utc_now

PASSKEYS = "passkeys"
CHALLENGES = "webauthn_challenges"
USERS = "users"
CHALLENGE_MAX_AGE = timedelta(minutes=5)
TIMEOUT_MS = 5 * 60 * 1000
NAME_MAX_LENGTH = 60
MAX_PASSKEYS = 20

mongo.add_indexes(
    PASSKEYS,
    [
        IndexModel([("credential_id", ASCENDING)], unique=True),
        IndexModel([("user_id", ASCENDING)]),
    ],
)
mongo.add_indexes(CHALLENGES, [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)])


class PasskeyError(ValueError):
    """A registration or an assertion that does not verify; the message is for a person."""


def relying_party():
    """``(rp_id, origin)``: from PUBLIC_URL, else (development) the request's host."""
    parts = urlsplit(current_app.config["PUBLIC_URL"] or request.host_url)
    return parts.hostname, f"{parts.scheme}://{parts.netloc}"


def _verify(verify, purpose, challenge, credential, **expected):
    """``verify`` (py_webauthn's registration or authentication check) of ``credential``
    against this site and ``challenge``, user verification required; PasskeyError
    (the reason logged, not shown) when it fails."""
    rp_id, origin = relying_party()
    try:
        return verify(
            credential=credential,
            expected_challenge=_bytes(challenge["_id"]),
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
            **expected,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        current_app.logger.info("Passkey %s refused: %s", purpose, error)
        raise PasskeyError("This passkey could not be verified.") from None


# Stored passkeys ------------------------------------------------------------------


def of_user(user_id):
    return list(mongo.db[PASSKEYS].find({"user_id": user_id}).sort("created_at", ASCENDING))


def count(user_id):
    return mongo.db[PASSKEYS].count_documents({"user_id": user_id})


def remove(user_id, passkey_id):
    """The removed passkey's document, or None if the user has no such passkey."""
    try:
        passkey_id = ObjectId(passkey_id)
    except (InvalidId, TypeError):
        return None
    return mongo.db[PASSKEYS].find_one_and_delete({"_id": passkey_id, "user_id": user_id})


def forget(user_id):
    mongo.db[PASSKEYS].delete_many({"user_id": user_id})


def _user_handle(user):
    if not user.get("webauthn_id"):
        handle = bytes_to_base64url(secrets.token_bytes(32))
        mongo.db[USERS].update_one(
            {"_id": user["_id"], "webauthn_id": {"$exists": False}},
            {"$set": {"webauthn_id": handle}},
        )
        user = mongo.db[USERS].find_one({"_id": user["_id"]})
    return user["webauthn_id"]


def _descriptors(user_id):
    return [
        PublicKeyCredentialDescriptor(id=_bytes(passkey["credential_id"]))
        for passkey in of_user(user_id)
    ]


# Challenges -----------------------------------------------------------------------


def _store_challenge(challenge, purpose, **data):
    now = utc_now()
    key = bytes_to_base64url(challenge)
    mongo.db[CHALLENGES].insert_one(
        {"_id": key, "purpose": purpose, "expires_at": now + CHALLENGE_MAX_AGE, **data}
    )
    return key


def _take_challenge(key, purpose):
    """The challenge's document, once: it is deleted; None if unknown, used or expired."""
    if not isinstance(key, str):
        return None
    found = mongo.db[CHALLENGES].find_one_and_delete({"_id": key, "purpose": purpose})
    if found is None or found["expires_at"] <= utc_now():
        return None
    return found


# Registration ---------------------------------------------------------------------


def registration_options(user, name):
    """``(options JSON, challenge key)`` to register a new passkey called ``name``."""
    rp_id, _origin = relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=current_app.config["APP_NAME"],
        user_id=_bytes(_user_handle(user)),
        user_name=user["email"],
        user_display_name=user["email"],
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(user["_id"]),
    )
    key = _store_challenge(options.challenge, "register", user_id=user["_id"], name=name)
    return options_to_json(options), key


def register(user, challenge_key, credential):
    """Verify a new passkey's attestation and keep it; its document."""
    challenge = _take_challenge(challenge_key, "register")
    if challenge is None or challenge["user_id"] != user["_id"]:
        raise PasskeyError("This request has expired. Try again.")
    verified = _verify(verify_registration_response, "registration", challenge, credential)
    if count(user["_id"]) >= MAX_PASSKEYS:
        raise PasskeyError(f"You have {MAX_PASSKEYS} passkeys already: remove one first.")
    now = utc_now()
    transports = (credential.get("response") or {}).get("transports") or []
    document = {
        "user_id": user["_id"],
        "name": challenge["name"],
        "credential_id": bytes_to_base64url(verified.credential_id),
        "public_key": verified.credential_public_key,
        "sign_count": verified.sign_count,
        "transports": [t for t in transports if isinstance(t, str)][:8]
        if isinstance(transports, list)
        else [],
        "backed_up": verified.credential_backed_up,
        "created_at": now,
        "last_used_at": None,
    }
    try:
        mongo.db[PASSKEYS].insert_one(document)
    except DuplicateKeyError:
        raise PasskeyError("This passkey is registered already.") from None
    return document


# Authentication -------------------------------------------------------------------


def authentication_options(user=None):
    """``(options JSON, challenge key)``: for any discoverable passkey of this site
    (``user`` None: a login with the passkey alone), or for one of ``user``'s (the
    second step of a login)."""
    rp_id, _origin = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(user["_id"]) if user else [],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    purpose = "second-factor" if user else "login"
    data = {"user_id": user["_id"]} if user else {}
    key = _store_challenge(options.challenge, purpose, **data)
    return options_to_json(options), key


def authenticate(challenge_key, credential, user=None):
    """The user whose passkey signed the challenge (``user``'s, if given); raises
    PasskeyError. The passkey's counter and last use are recorded."""
    challenge = _take_challenge(challenge_key, "second-factor" if user else "login")
    if challenge is None or (user and challenge["user_id"] != user["_id"]):
        raise PasskeyError("This request has expired. Try again.")
    try:
        parsed = parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError, KeyError):
        raise PasskeyError("This passkey could not be verified.") from None
    passkey = mongo.db[PASSKEYS].find_one({"credential_id": bytes_to_base64url(parsed.raw_id)})
    if passkey is None or (user and passkey["user_id"] != user["_id"]):
        raise PasskeyError("This passkey is not registered here (any more).")
    owner = mongo.db[USERS].find_one({"_id": passkey["user_id"]})
    handle = parsed.response.user_handle
    if owner is None or (handle and bytes_to_base64url(handle) != owner.get("webauthn_id")):
        raise PasskeyError("This passkey is not registered here (any more).")
    verified = _verify(
        verify_authentication_response,
        "login",
        challenge,
        parsed,
        credential_public_key=passkey["public_key"],
        credential_current_sign_count=passkey["sign_count"],
    )
    # Only if no other use of it was recorded meanwhile (counters only grow).
    updated = mongo.db[PASSKEYS].find_one_and_update(
        {"_id": passkey["_id"], "sign_count": passkey["sign_count"]},
        {"$set": {"sign_count": verified.new_sign_count, "last_used_at": utc_now()}},
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        raise PasskeyError("This passkey could not be verified.")
    return owner, updated


def _bytes(base64url):
    return base64url_to_bytes(base64url)
