"""Users, their bcrypt password hashes, and their login sessions.

A login session is a document of its own: the session cookie holds only its
random id (Flask-Login's "alternative id"), and the database only a SHA-256
digest of it, so neither a copied cookie outlives its session nor a copy of
the database logs anyone in. Logging out deletes the document and a copied
cookie stops working at once. ``load_session`` itself refuses a session past
its absolute lifetime or idle for too long; MongoDB's TTL job only tidies up.
Loading the user of a request is then a single lookup by ``_id``, with the
email kept beside it, and not even that once the process has it in its
session cache (``backend/auth/session_cache.py``): what ends a session here
evicts it from this process's cache at once, the change stream from the others'.
"""

import base64
import hashlib
import secrets
from datetime import timedelta

import bcrypt
from flask import current_app, has_request_context, request
from flask_login import UserMixin
from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from backend.auth.activity import USER_AGENT_MAX_LENGTH
from backend.auth.session_cache import Entry
from backend.extensions import mongo
from backend.serialization import utc_now

USERS = "users"
SESSIONS = "sessions"

USER_INDEXES = [IndexModel([("email", ASCENDING)], unique=True)]
SESSION_INDEXES = [
    IndexModel([("user_id", ASCENDING)]),
    # The end of its lifetime or of its idle timeout, whichever comes first.
    IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
]
mongo.add_indexes(USERS, USER_INDEXES)
mongo.add_indexes(SESSIONS, SESSION_INDEXES)


class EmailTaken(ValueError):
    pass


class User(UserMixin):
    """The logged-in user of a request, as Flask-Login sees it."""

    def __init__(self, user_id, email, session_id=None):
        self.id = user_id
        self.email = email
        self.session_id = session_id

    def get_id(self):
        return self.session_id

    def to_json(self):
        return {"_id": str(self.id), "email": self.email}


def hash_password(password):
    rounds = current_app.config["BCRYPT_ROUNDS"]
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode()


def check_password(password, password_hash):
    return bcrypt.checkpw(_prehash(password), password_hash.encode())


def hash_is_outdated(password_hash):
    """Made with other bcrypt rounds than BCRYPT_ROUNDS says now (``$2b$12$...``)."""
    return int(password_hash.split("$")[2]) != current_app.config["BCRYPT_ROUNDS"]


def _prehash(password):
    # bcrypt reads only 72 bytes; hashing first makes every byte count, and
    # base64 keeps NUL bytes out of what bcrypt sees.
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


def normalize_email(email):
    return email.strip().lower()


def create_user(email, password, verified=True, password_hash=None):
    """A user; ``verified=False`` for one who registered and has not followed the
    link yet (users from before verification existed have no such field: verified)."""
    document = {
        "email": normalize_email(email),
        "password_hash": password_hash or hash_password(password),
        "email_verified": verified,
        "created_at": utc_now(),
        "last_login_at": None,
    }
    try:
        mongo.db[USERS].insert_one(document)
    except DuplicateKeyError:
        raise EmailTaken(document["email"]) from None
    return document


def find_user(user_id):
    return mongo.db[USERS].find_one({"_id": user_id})


def find_user_by_email(email):
    return mongo.db[USERS].find_one({"email": normalize_email(email)})


def password_matches(user_id, password):
    document = find_user(user_id)
    return document is not None and check_password(password, document["password_hash"])


def is_verified(user_document):
    return user_document.get("email_verified", True)


def mark_verified(user_id):
    mongo.db[USERS].update_one({"_id": user_id}, {"$set": {"email_verified": True}})


def set_password(user_id, password, verify=False):
    """``verify``: a reset link proved the mailbox, so it verifies the email too."""
    changes = {"password_hash": hash_password(password)}
    if verify:
        changes["email_verified"] = True
    mongo.db[USERS].update_one({"_id": user_id}, {"$set": changes})


def upgrade_hash(user_document, password):
    """Rehash with today's BCRYPT_ROUNDS at login, unless the password changed meanwhile."""
    mongo.db[USERS].update_one(
        {"_id": user_document["_id"], "password_hash": user_document["password_hash"]},
        {"$set": {"password_hash": hash_password(password)}},
    )


def record_login(user_id):
    mongo.db[USERS].update_one({"_id": user_id}, {"$set": {"last_login_at": utc_now()}})


def change_email(user_id, email):
    email = normalize_email(email)
    try:
        mongo.db[USERS].update_one({"_id": user_id}, {"$set": {"email": email}})
    except DuplicateKeyError:
        raise EmailTaken(email) from None
    # Sessions keep a copy of the email (see load_session).
    mongo.db[SESSIONS].update_many({"user_id": user_id}, {"$set": {"email": email}})
    _evict_cached(user_id=user_id)
    return email


def delete_user(user_id):
    mongo.db[USERS].delete_one({"_id": user_id})
    end_sessions(user_id)


def authenticate(email, password):
    """The user document for these credentials, or None."""
    document = mongo.db[USERS].find_one({"email": normalize_email(email)})
    if document is None:
        # Spend the same time as a real check, so timing does not reveal
        # which emails have accounts.
        check_password(password, _dummy_hash())
        return None
    if not check_password(password, document["password_hash"]):
        return None
    if hash_is_outdated(document["password_hash"]):
        upgrade_hash(document, password)
    return document


def start_session(user_document):
    session_id = secrets.token_urlsafe(32)
    now = utc_now()
    mongo.db[SESSIONS].insert_one(
        {
            "_id": _digest(session_id),
            "user_id": user_document["_id"],
            "email": user_document["email"],
            "created_at": now,
            "last_used_at": now,
            "expires_at": _expiry(now, now),
            **_whereabouts(),
        }
    )
    return User(user_document["_id"], user_document["email"], session_id)


def load_session(session_id, fresh=False):
    """The user of a live session, or None (and the session ended) past its lifetime
    or its idle timeout: the TTL job runs only once a minute, and may lag.

    From this process's session cache when it has the session, else (or when
    ``fresh``) from the database."""
    if not session_id:
        return None
    digest, cache, now = _digest(session_id), _session_cache(), utc_now()
    session = None if fresh else cache.get(digest)
    if session is not None and _session_over(session, now):
        # Judged again from the database: another process may have touched it.
        _evict_cached(digest)
        session = None
    if session is None:
        ticket = cache.ticket()  # before the read: see SessionCache.put
        document = mongo.db[SESSIONS].find_one({"_id": digest})
        if document is None:
            return None
        session = Entry(
            document["user_id"], document["email"], document["created_at"], document["last_used_at"]
        )
        if _session_over(session, now):
            end_session(session_id)
            return None
        cache.put(digest, session, ticket)
    touch = timedelta(seconds=current_app.config["SESSION_TOUCH_INTERVAL"])
    if now - session.last_used_at >= touch:
        # Not on every request: a write per API call would cost more than it tells.
        mongo.db[SESSIONS].update_one(
            {"_id": digest},
            {"$set": _touched(session.created_at, now)},
        )
        _evict_cached(digest)  # read again next time, as its change makes every process do
    return User(session.user_id, session.email, session_id)


def _session_over(session, now):
    config = current_app.config
    idle = timedelta(seconds=config["SESSION_IDLE_TIMEOUT"])
    return (
        now >= session.created_at + config["PERMANENT_SESSION_LIFETIME"]
        or now >= session.last_used_at + idle
    )


def end_session(session_id):
    _end_stored_session({"_id": _digest(session_id)})


def end_sessions(user_id, keep=None):
    """End every session of the user except ``keep`` (a session id)."""
    mongo.db[SESSIONS].delete_many({"user_id": user_id, "_id": {"$ne": _digest(keep)}})
    _evict_cached(user_id=user_id, keep=_digest(keep))


def _session_cache():
    """This process's cache of the app's sessions (``backend/auth/session_cache.py``),
    made, and its watcher started, on first use."""
    return current_app.extensions["session_cache"].get()


def _evict_cached(digest=None, user_id=None, keep=None):
    """Out of this process's cache at once, after the database write (the change
    stream tells the other processes): the session of ``digest``, or every session
    of ``user_id`` but ``keep`` (a digest). A process without a cache has none."""
    cache = current_app.extensions["session_cache"].peek()
    if cache is None:
        return
    if user_id is None:
        cache.evict(digest)
    else:
        cache.evict_user(user_id, keep)


def count_sessions(user_id, besides=None):
    return mongo.db[SESSIONS].count_documents(
        {"user_id": user_id, "_id": {"$ne": _digest(besides)}}
    )


def list_sessions(user_id, current=None):
    """The user's sessions for the account page, ``current`` (a session id) first, then
    the most recently used. Each is named by its ``_id``, the digest: it is what the
    database holds, and nothing takes it for a cookie's id (the digest of a digest
    matches no session), so showing it logs no one in."""
    fields = {"user_agent": 1, "ip": 1, "last_used_at": 1}
    found = mongo.db[SESSIONS].find({"user_id": user_id}, fields).sort("last_used_at", DESCENDING)
    this = _digest(current)
    sessions = [{**session, "current": session["_id"] == this} for session in found]
    return sorted(sessions, key=lambda session: not session["current"])  # a stable sort


def end_session_by_id(user_id, stored_id):
    """End the user's session stored as ``stored_id`` (from list_sessions); False when the
    user has no such session (ended already, or someone else's): nothing changes."""
    return _end_stored_session({"_id": stored_id, "user_id": user_id})


def _end_stored_session(query):
    # The one way a single session ends (end_session, end_session_by_id).
    ended = mongo.db[SESSIONS].delete_one(query).deleted_count == 1
    if ended:
        _evict_cached(query["_id"])
    return ended


def _touched(created_at, now):
    """What a session's periodic touch writes: its last use, and where from."""
    return {"last_used_at": now, "expires_at": _expiry(created_at, now), **_whereabouts()}


def _whereabouts():
    """Where a session is used from, for the account page: the client's address (through
    TRUSTED_PROXIES) and its browser. Outside a request (a live stream's check), nothing."""
    if not has_request_context():
        return {}
    return {
        "ip": request.remote_addr,
        "user_agent": request.user_agent.string[:USER_AGENT_MAX_LENGTH],
    }


def _digest(session_id):
    # A digest, not the id: the database never holds what the cookie holds.
    return hashlib.sha256(session_id.encode()).hexdigest() if session_id else None


def _expiry(created_at, last_used_at):
    config = current_app.config
    return min(
        created_at + config["PERMANENT_SESSION_LIFETIME"],
        last_used_at + timedelta(seconds=config["SESSION_IDLE_TIMEOUT"]),
    )


_DUMMY_HASH = {}


def _dummy_hash():
    rounds = current_app.config["BCRYPT_ROUNDS"]
    if rounds not in _DUMMY_HASH:
        _DUMMY_HASH[rounds] = hash_password(secrets.token_urlsafe())
    return _DUMMY_HASH[rounds]
