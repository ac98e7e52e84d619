"""Login sessions: stored only as a digest, ended by load_session itself when idle
or too old, a __Host- cookie in production, and answers never cached by browsers
(the server's own session cache: tests/test_session_cache.py)."""

import hashlib
from datetime import timedelta

import pytest

from backend.serialization import utc_now
from backend.settings import ConfigError, load_settings
from tests.conftest import (
    PASSWORD,
    Browserless,
    create_verified_user,
    csrf_token_from,
    wind_back,
)
from tests.test_account import logged_in


def session_id_of(app, client, cookie="session"):
    """The login session's id, as the signed session cookie holds it."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(client.get_cookie(cookie).value)["_user_id"]


def session_document(db, app, user):
    return db.sessions.find_one(
        {"_id": hashlib.sha256(session_id_of(app, user.client).encode()).hexdigest()}
    )


# Stored as a digest --------------------------------------------------------------


def test_the_database_holds_a_digest_of_the_session_id_never_the_id(app, alice, db):
    session_id = session_id_of(app, alice.client)

    [stored] = db.sessions.find()

    assert stored["_id"] == hashlib.sha256(session_id.encode()).hexdigest()
    assert session_id not in str(stored)


def test_a_copied_database_logs_nobody_in(app, alice, db):
    """What the database holds, put in a cookie, is no session."""
    [stored] = db.sessions.find()
    forger = app.test_client()
    with forger.session_transaction() as session:
        session["_user_id"] = stored["_id"]

    assert not logged_in(forger)


# Idle timeout and absolute lifetime ---------------------------------------------------


def test_a_session_idle_for_two_days_is_over(app, alice, db):
    wind_back(app, db, "last_used_at", timedelta(days=2) - timedelta(minutes=1))
    assert logged_in(alice.client)  # and that use counts

    wind_back(app, db, "last_used_at", timedelta(days=2, seconds=1))

    assert not logged_in(alice.client)
    assert db.sessions.count_documents({}) == 0  # ended, not just refused


def test_a_session_in_use_ends_after_fourteen_days_all_the_same(app, alice, db):
    wind_back(app, db, "created_at", timedelta(days=14) - timedelta(minutes=1))
    assert logged_in(alice.client)

    wind_back(app, db, "created_at", timedelta(minutes=2))

    assert not logged_in(alice.client)


def test_the_last_use_is_written_at_most_every_five_minutes(app, alice, db):
    [before] = db.sessions.find()
    assert logged_in(alice.client)
    assert db.sessions.find_one()["last_used_at"] == before["last_used_at"]

    wind_back(app, db, "last_used_at", timedelta(minutes=5))
    assert logged_in(alice.client)

    [after] = db.sessions.find()
    assert utc_now() - after["last_used_at"] < timedelta(seconds=5)
    assert after["expires_at"] - after["last_used_at"] == timedelta(days=2)


def test_the_ttl_index_deletes_a_session_when_it_would_be_refused(alice, db):
    [session] = db.sessions.find()
    assert session["expires_at"] == session["created_at"] + timedelta(days=2)
    ttl = [i for i in db.sessions.list_indexes() if "expireAfterSeconds" in i]
    assert [(dict(i["key"]), i["expireAfterSeconds"]) for i in ttl] == [({"expires_at": 1}, 0)]


def test_session_idle_timeout_comes_from_the_environment(app, alice, db):
    app.config["SESSION_IDLE_TIMEOUT"] = 60
    wind_back(app, db, "last_used_at", timedelta(seconds=61))

    assert not logged_in(alice.client)
    settings = load_settings({"APP_ENV": "test", "SECRET_KEY": "s", "SESSION_IDLE_TIMEOUT": "600"})
    assert settings["SESSION_IDLE_TIMEOUT"] == 600
    with pytest.raises(ConfigError, match="SESSION_IDLE_TIMEOUT must be a number of seconds"):
        load_settings({"APP_ENV": "test", "SECRET_KEY": "s", "SESSION_IDLE_TIMEOUT": "2d"})


# A new session id at every privilege change ----------------------------------------


def test_verifying_logging_in_and_each_change_give_a_new_session_id(app, alice):
    from tests.test_account import change_password, end_other_sessions

    ids = [session_id_of(app, alice.client)]
    change_password(alice.client)
    ids.append(session_id_of(app, alice.client))
    end_other_sessions(alice.client)
    ids.append(session_id_of(app, alice.client))
    alice.log_in(password="a brand new passphrase")
    ids.append(session_id_of(app, alice.client))

    assert len(set(ids)) == 4


# The cookie and caches -----------------------------------------------------------


@pytest.fixture
def production_app(make_app):
    return make_app({"APP_ENV": "production", "SECRET_KEY": "k" * 32})


def test_production_s_session_cookie_is_a_host_cookie(production_app):
    create_verified_user(production_app, "alice@example.com")
    client = production_app.test_client()
    base = "https://localhost"
    page = client.get(f"{base}/login").text
    data = {"email": "alice@example.com", "password": PASSWORD, "csrf_token": csrf_token_from(page)}

    # Over HTTPS, Flask-WTF also checks that the form came from this site.
    response = client.post(f"{base}/login", data=data, headers={"Referer": f"{base}/login"})

    assert response.status_code == 302
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if "session=" in c]
    assert cookie.startswith("__Host-session=")
    attributes = cookie.split("; ")
    assert "Secure" in attributes
    assert "Path=/" in attributes
    assert not any(a.startswith("Domain=") for a in attributes)
    assert client.get(f"{base}/api/widgets").status_code == 200


@pytest.mark.parametrize("path", ["/account", "/api/widgets", "/"])
def test_every_answer_to_a_logged_in_user_says_no_store(alice, path):
    response = alice.get(path)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_an_api_error_for_a_logged_in_user_says_no_store_too(alice):
    response = alice.get("/api/widgets/ffffffffffffffffffffffff")

    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_public_answers_may_be_cached(app, client):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    user = Browserless(app.test_client(), "bob@example.com").register()
    static = user.client.get("/static/favicon.svg")
    if static.status_code == 200:  # the front end is built
        assert "no-store" not in static.headers.get("Cache-Control", "")
