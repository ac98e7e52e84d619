"""Passkeys, verified by the ``webauthn`` library itself against credentials that a
software authenticator (tests/authenticator.py) makes: registration, a login with
the passkey alone, the passkey as the second step, counters, challenges, removal."""

import re
from datetime import timedelta

import pytest
from webauthn.helpers import bytes_to_base64url

from backend.settings import APP_NAME
from tests.authenticator import Authenticator
from tests.conftest import PASSWORD, Browserless, csrf_token_from
from tests.outbox import emails_to
from tests.test_account import log_in, logged_in, post_account_form


def passkey_options(user, name="Laptop", password=PASSWORD):
    page = user.client.get("/account").get_data(as_text=True)
    token = re.search(r'name="passkey-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return user.client.post(
        "/account/passkeys/options",
        data={"passkey-csrf_token": token, "passkey-name": name, "passkey-password": password},
    )


def add_passkey(user, authenticator, name="Laptop"):
    response = passkey_options(user, name)
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = user.post("/account/passkeys", json=authenticator.create(response.get_json()))
    user.csrf_token = user.fresh_csrf_token()  # a new session
    return answer


def passkey_login(client, authenticator, **kwargs):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    options = client.post("/login/passkey/options", headers={"X-CSRFToken": token}).get_json()
    credential = authenticator.get(options, **kwargs)
    return client.post("/login/passkey", json=credential, headers={"X-CSRFToken": token}), options


def page_token(html):
    """The CSRF token the page's passkey button sends."""
    return csrf_token_from(html)


@pytest.fixture
def authenticator():
    return Authenticator()


@pytest.fixture
def alice_with_passkey(alice, authenticator):
    response = add_passkey(alice, authenticator)
    assert response.status_code == 200, response.get_data(as_text=True)
    return alice


def test_registration_asks_for_a_discoverable_verified_passkey_of_this_site(alice):
    options = passkey_options(alice).get_json()

    assert options["rp"] == {"id": "localhost", "name": APP_NAME}
    assert options["user"]["name"] == alice.email
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"


def test_a_passkey_is_registered_named_and_listed(app, alice_with_passkey, db, authenticator):
    alice = alice_with_passkey
    [stored] = db.passkeys.find()

    assert stored["name"] == "Laptop"
    assert stored["sign_count"] == 0 and stored["last_used_at"] is None
    page = alice.client.get("/account").get_data(as_text=True)
    assert "<strong>Laptop</strong>" in page and "never used yet" in page
    assert "Passkeys: <strong>1</strong>" in page
    assert "Two-factor login: <strong>on</strong>" in page
    [notice] = emails_to(app.config["VAR_DIR"], alice.email, "Two-factor login changed")
    assert "Laptop" in notice.get_content()


def test_adding_a_passkey_needs_the_password(alice, db):
    response = passkey_options(alice, password="not my password")

    assert response.status_code == 400
    assert "not your current password" in str(response.get_json()["fields"])
    assert db.webauthn_challenges.count_documents({}) == 0


def test_adding_a_passkey_ends_the_other_sessions(app, alice, authenticator):
    elsewhere = Browserless(app.test_client(), alice.email).log_in()

    add_passkey(alice, authenticator)

    assert not logged_in(elsewhere.client)
    assert logged_in(alice.client)


def test_a_registration_challenge_works_once(alice, authenticator, db):
    credential = authenticator.create(passkey_options(alice).get_json())
    assert alice.post("/account/passkeys", json=credential).status_code == 200
    alice.csrf_token = alice.fresh_csrf_token()

    again = alice.post("/account/passkeys", json=credential)

    assert again.status_code == 400 and "expired" in again.get_json()["error"]
    assert db.passkeys.count_documents({}) == 1


def test_a_registration_challenge_expires(alice, authenticator, db):
    options = passkey_options(alice).get_json()
    challenge = db.webauthn_challenges.find_one()
    db.webauthn_challenges.update_one(
        {"_id": challenge["_id"]},
        {"$set": {"expires_at": challenge["expires_at"] - timedelta(minutes=6)}},
    )

    response = alice.post("/account/passkeys", json=authenticator.create(options))

    assert response.status_code == 400
    assert db.passkeys.count_documents({}) == 0


@pytest.mark.parametrize(
    "authenticator_kwargs, create_kwargs",
    [
        ({"user_verified": False}, {}),
        ({}, {"origin": "https://evil.example"}),
    ],
    ids=["without user verification", "from another origin"],
)
def test_a_registration_that_does_not_verify_is_refused(
    alice, db, authenticator_kwargs, create_kwargs
):
    authenticator = Authenticator(**authenticator_kwargs)
    credential = authenticator.create(passkey_options(alice).get_json(), **create_kwargs)

    response = alice.post("/account/passkeys", json=credential)

    assert response.status_code == 400
    assert db.passkeys.count_documents({}) == 0


def test_a_passkey_alone_logs_in(app, alice_with_passkey, authenticator, db):
    browser = app.test_client()

    response, options = passkey_login(browser, authenticator)

    assert options["allowCredentials"] == []  # discoverable: no email typed
    assert options["userVerification"] == "required"
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"redirect": "/"}
    assert logged_in(browser)
    [stored] = db.passkeys.find()
    assert stored["sign_count"] == 1 and stored["last_used_at"] is not None
    page = alice_with_passkey.client.get("/account").get_data(as_text=True)
    assert "last used" in page


def test_a_passkey_login_follows_next_on_this_site_only(app, alice_with_passkey, authenticator):
    browser = app.test_client()
    token = csrf_token_from(browser.get("/login").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    options = browser.post("/login/passkey/options", headers=headers).get_json()
    credential = {**authenticator.get(options), "next": "https://evil.example/"}

    assert browser.post("/login/passkey", json=credential, headers=headers).get_json() == {
        "redirect": "/"
    }


def test_a_sign_counter_that_does_not_grow_is_refused(app, alice_with_passkey, authenticator):
    passkey_login(app.test_client(), authenticator)
    clone = app.test_client()

    response, _options = passkey_login(clone, authenticator, count_up=False)

    assert response.status_code == 400
    assert not logged_in(clone)


def test_an_assertion_cannot_be_replayed(app, alice_with_passkey, authenticator):
    browser = app.test_client()
    token = csrf_token_from(browser.get("/login").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    options = browser.post("/login/passkey/options", headers=headers).get_json()
    credential = authenticator.get(options)
    assert browser.post("/login/passkey", json=credential, headers=headers).status_code == 200
    other = app.test_client()
    with browser.session_transaction() as session:
        challenge = session.get("webauthn_challenge")
    with other.session_transaction() as session:
        session["webauthn_challenge"] = challenge

    other_token = csrf_token_from(other.get("/login").get_data(as_text=True))
    replay = other.post("/login/passkey", json=credential, headers={"X-CSRFToken": other_token})

    assert replay.status_code == 400
    assert not logged_in(other)


def test_an_assertion_for_another_site_is_refused(app, alice_with_passkey, authenticator):
    browser = app.test_client()

    response, _options = passkey_login(browser, authenticator, rp_id="evil.example")

    assert response.status_code == 400 and not logged_in(browser)


def test_an_unknown_passkey_is_refused(app, alice_with_passkey):
    stranger = Authenticator()
    stranger.user_handle = "AAAA"

    response, _options = passkey_login(app.test_client(), stranger)

    assert response.status_code == 400


def test_with_a_passkey_the_password_login_asks_for_it_as_the_second_step(
    app, alice_with_passkey, authenticator
):
    browser = app.test_client()
    response = log_in(browser, alice_with_passkey.email)
    assert response.headers["Location"].endswith("/login/second-step")
    page = browser.get("/login/second-step").get_data(as_text=True)
    assert "Use a passkey" in page
    token = page_token(page)
    headers = {"X-CSRFToken": token}

    options = browser.post("/login/second-step/passkey/options", headers=headers).get_json()
    assert [c["id"] for c in options["allowCredentials"]] == [
        bytes_to_base64url(authenticator.credential_id)
    ]
    response = browser.post(
        "/login/second-step/passkey", json=authenticator.get(options), headers=headers
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"redirect": "/"}
    assert logged_in(browser)


def test_someone_else_s_passkey_is_no_second_step(app, alice_with_passkey, bob):
    bobs_authenticator = Authenticator()
    add_passkey(bob, bobs_authenticator)
    browser = app.test_client()
    log_in(browser, alice_with_passkey.email)
    token = page_token(browser.get("/login/second-step").get_data(as_text=True))
    headers = {"X-CSRFToken": token}
    options = browser.post("/login/second-step/passkey/options", headers=headers).get_json()

    response = browser.post(
        "/login/second-step/passkey", json=bobs_authenticator.get(options), headers=headers
    )

    assert response.status_code == 400 and not logged_in(browser)


def test_the_passkey_second_step_needs_the_password_first(app, client):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))

    response = client.post("/login/second-step/passkey/options", headers={"X-CSRFToken": token})

    assert response.status_code == 400


def test_a_removed_passkey_logs_nobody_in(app, alice_with_passkey, authenticator, db):
    alice = alice_with_passkey
    [stored] = db.passkeys.find()

    response = post_account_form(
        alice.client,
        "/account/passkeys/remove",
        "passkey-remove",
        passkey=str(stored["_id"]),
        password=PASSWORD,
    )

    assert response.status_code == 302
    assert db.passkeys.count_documents({}) == 0
    page = alice.client.get("/account").get_data(as_text=True)
    assert "Two-factor login: <strong>off</strong>" in page
    assert passkey_login(app.test_client(), authenticator)[0].status_code == 400
    assert log_in(app.test_client(), alice.email).headers["Location"] == "/"


def test_removing_a_passkey_needs_the_password(alice_with_passkey, db):
    [stored] = db.passkeys.find()

    post_account_form(
        alice_with_passkey.client,
        "/account/passkeys/remove",
        "passkey-remove",
        passkey=str(stored["_id"]),
        password="not my password",
    )

    assert db.passkeys.count_documents({}) == 1


def test_the_relying_party_comes_from_public_url(app, alice, authenticator):
    app.config["PUBLIC_URL"] = "https://app.example.com"

    options = passkey_options(alice).get_json()
    credential = Authenticator(rp_id="app.example.com").create(options)
    refused = alice.post("/account/passkeys", json=credential)  # origin http://localhost

    assert options["rp"]["id"] == "app.example.com"
    assert refused.status_code == 400
    options = passkey_options(alice).get_json()
    credential = authenticator.create(options, origin="https://app.example.com")
    assert alice.post("/account/passkeys", json=credential).status_code == 200
