"""Users, their bcrypt password hashes, and their login sessions.

A login session is a document of its own: the session cookie holds only its
random id (Flask-Login's "alternative id"), so logging out deletes it and a
copied cookie stops working at once. Loading the user of a request is then a
single lookup by ``_id``, with the email kept beside it.
"""

import base64
import hashlib
import secrets

import bcrypt
from flask import current_app
from flask_login import UserMixin
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from backend.extensions import mongo
from backend.serialization import utc_now
from backend.settings import SESSION_LIFETIME

USERS = "users"
SESSIONS = "sessions"

USER_INDEXES = [IndexModel([("email", ASCENDING)], unique=True)]
SESSION_INDEXES = [
    IndexModel([("user_id", ASCENDING)]),
    IndexModel(
        [("created_at", ASCENDING)], expireAfterSeconds=int(SESSION_LIFETIME.total_seconds())
    ),
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


def _prehash(password):
    # bcrypt reads only 72 bytes; hashing first makes every byte count, and
    # base64 keeps NUL bytes out of what bcrypt sees.
    return base64.b64encode(hashlib.sha256(password.encode()).digest())


def normalize_email(email):
    return email.strip().lower()


def create_user(email, password):
    document = {
        "email": normalize_email(email),
        "password_hash": hash_password(password),
        "created_at": utc_now(),
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


def set_password(user_id, password):
    mongo.db[USERS].update_one(
        {"_id": user_id}, {"$set": {"password_hash": hash_password(password)}}
    )


def change_email(user_id, email):
    email = normalize_email(email)
    try:
        mongo.db[USERS].update_one({"_id": user_id}, {"$set": {"email": email}})
    except DuplicateKeyError:
        raise EmailTaken(email) from None
    # Sessions keep a copy of the email (see load_session).
    mongo.db[SESSIONS].update_many({"user_id": user_id}, {"$set": {"email": email}})


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
    return document if check_password(password, document["password_hash"]) else None


def start_session(user_document):
    session_id = secrets.token_urlsafe(32)
    mongo.db[SESSIONS].insert_one(
        {
            "_id": session_id,
            "user_id": user_document["_id"],
            "email": user_document["email"],
            "created_at": utc_now(),
        }
    )
    return User(user_document["_id"], user_document["email"], session_id)


def load_session(session_id):
    session = mongo.db[SESSIONS].find_one({"_id": session_id})
    if session is None:
        return None
    return User(session["user_id"], session["email"], session_id)


def end_session(session_id):
    mongo.db[SESSIONS].delete_one({"_id": session_id})


def end_sessions(user_id, keep=None):
    """End every session of the user except ``keep`` (a session id)."""
    mongo.db[SESSIONS].delete_many({"user_id": user_id, "_id": {"$ne": keep}})


def count_sessions(user_id, besides=None):
    return mongo.db[SESSIONS].count_documents({"user_id": user_id, "_id": {"$ne": besides}})


_DUMMY_HASH = {}


def _dummy_hash():
    rounds = current_app.config["BCRYPT_ROUNDS"]
    if rounds not in _DUMMY_HASH:
        _DUMMY_HASH[rounds] = hash_password(secrets.token_urlsafe())
    return _DUMMY_HASH[rounds]
