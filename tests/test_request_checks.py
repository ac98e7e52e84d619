"""The checks every request pays for, done once per value: the session cookie's
signature (backend/session_cookie.py) and the API's CSRF token
(backend/security.py protect_api). Remembering what was accepted never lets
anything else through."""

from datetime import timedelta

import pytest
from flask import Flask, session
from flask_wtf.csrf import CSRFProtect, generate_csrf

from backend.security import protect_api
from backend.session_cookie import CheckedOnceSessionInterface

# A bare app around the session interface -------------------------------------------


def cookie_app(key="one secret key, long enough to sign with"):
    app = Flask(__name__)
    app.secret_key = key
    app.session_interface = CheckedOnceSessionInterface()
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False  # as backend/settings.py says

    @app.post("/start")
    def start():
        session.permanent = True
        session["nested"] = {"count": 1}
        return "started"

    @app.post("/flat")
    def flat():
        session["name"] = "first"
        return "set"

    @app.get("/rename")
    def rename():
        # As /touch, on a session of strings only (copied shallowly).
        seen = session["name"]
        session["name"] = "renamed"
        session.modified = False
        return seen

    @app.get("/count")
    def count():
        return str(session.get("nested", {}).get("count", "none"))

    @app.get("/touch")
    def touch():
        # Changes a nested value without marking the session modified, so
        # Flask does not send a new cookie: the next request must not see it.
        session["nested"]["count"] += 100
        session.modified = False
        return "touched"

    return app


@pytest.fixture
def started():
    app = cookie_app()
    client = app.test_client()
    client.post("/start")
    assert client.get("/count").text == "1"  # accepted, and remembered
    return app, client


def test_a_remembered_cookie_changed_by_one_character_is_refused(started):
    _app, client = started
    value = client.get_cookie("session").value
    at = 1 if value.startswith(".") else 0  # "." marks a compressed payload
    forged = value[:at] + ("A" if value[at] != "A" else "B") + value[at + 1 :]
    client.set_cookie("session", forged)

    assert client.get("/count").text == "none"


def test_the_lifetime_still_applies_to_a_remembered_cookie(started):
    app, client = started
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=-1)

    assert client.get("/count").text == "none"


def test_each_request_gets_its_own_copy_of_a_remembered_session(started):
    _app, client = started
    client.get("/touch")

    assert client.get("/count").text == "1"


def test_each_request_gets_its_own_copy_of_a_remembered_flat_session():
    client = cookie_app().test_client()
    client.post("/flat")

    assert client.get("/rename").text == "first"
    assert client.get("/rename").text == "first"


def test_an_unchanged_session_sends_no_cookie_but_says_it_varies_by_cookie(started):
    _, client = started
    response = client.get("/count")

    assert "Set-Cookie" not in response.headers
    assert "Cookie" in response.headers["Vary"]


def test_a_cookie_accepted_under_one_key_is_refused_under_another(started):
    _app, client = started
    other = cookie_app(key="another secret key, just as long as the first")
    other_client = other.test_client()
    other_client.set_cookie("session", client.get_cookie("session").value)

    assert other_client.get("/count").text == "none"


# The API's CSRF check ---------------------------------------------------------------


def test_an_accepted_csrf_token_is_refused_from_another_session(alice, bob):
    assert alice.post("/api/widgets", json={"name": "mine"}).status_code == 201
    bob.csrf_token = alice.csrf_token

    assert bob.post("/api/widgets", json={"name": "forged"}).status_code == 403


def test_an_accepted_csrf_token_is_refused_once_the_user_logs_in_again(alice):
    old_token = alice.csrf_token
    assert alice.post("/api/widgets", json={"name": "mine"}).status_code == 201
    alice.log_in()
    alice.csrf_token, new_token = old_token, alice.csrf_token

    assert alice.post("/api/widgets", json={"name": "stale"}).status_code == 403
    alice.csrf_token = new_token
    assert alice.post("/api/widgets", json={"name": "fresh"}).status_code == 201


def test_over_https_an_accepted_token_still_needs_this_hosts_referer():
    app = Flask(__name__)
    app.secret_key = "a secret key for the CSRF tokens of this test"
    CSRFProtect(app)

    @app.get("/token")
    def new_token():
        return generate_csrf()

    @app.post("/change")
    def change():
        protect_api()
        return "changed"

    client = app.test_client()
    https = {"base_url": "https://localhost"}
    token = client.get("/token", **https).text
    ours = {"X-CSRFToken": token, "Referer": "https://localhost/page"}
    assert client.post("/change", headers=ours, **https).status_code == 200

    assert client.post("/change", headers={"X-CSRFToken": token}, **https).status_code == 400
    elsewhere = {**ours, "Referer": "https://evil.example/"}
    assert client.post("/change", headers=elsewhere, **https).status_code == 400
    assert client.post("/change", headers=ours, **https).status_code == 200


# No cookie rewritten on every request ---------------------------------------------------


def test_a_different_user_agent_gets_no_new_session_cookie(alice):
    response = alice.get("/api/widgets", headers={"User-Agent": "another browser"})

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
