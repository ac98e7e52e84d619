"""Registering: always "check your email", a verification link that works once and
logs in, nothing told about which emails have accounts, throttled like logins."""

import re
import time
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner

from backend.auth.views import REGISTER_CLIENT_THROTTLE, REGISTER_EMAIL_THROTTLE
from tests.conftest import PASSWORD, create_verified_user, csrf_token_from
from tests.outbox import emails, emails_to, reset_link, verify_link
from tests.test_auth import logged_in, login, register
from tests.test_password_reset import set_new_password

CHECK_EMAIL = "Check your email"
INVALID_LINK = "This link is invalid, expired or already used."


@pytest.fixture
def var_dir(app):
    return Path(app.config["VAR_DIR"])


def open_link(client, link):
    """Follow an emailed verification link to its token-free confirmation page."""
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    assert opened.headers["Location"] == "/verify"
    return client.get("/verify")


def confirm(client, link):
    page = open_link(client, link)
    if page.status_code != 200:
        return page
    return client.post("/verify", data={"csrf_token": csrf_token_from(page.text)})


def without_csrf_token(page):
    return re.sub(rb'name="csrf_token" type="hidden" value="[^"]+"', b"", page)


# The whole flow ---------------------------------------------------------------


def test_register_says_check_your_email_and_logs_nobody_in(client, db, var_dir):
    response = register(client, email="Carol@Example.COM")

    assert response.status_code == 200
    assert CHECK_EMAIL in response.text
    assert not logged_in(client)
    user = db.users.find_one()
    assert user["email"] == "carol@example.com"
    assert user["email_verified"] is False
    [email] = emails(var_dir)
    assert email["To"] == "carol@example.com"
    assert email["Subject"].startswith("Verify your email address")


def test_the_verification_link_activates_the_account_and_logs_in(client, db, var_dir):
    register(client)
    link = verify_link(var_dir, "carol@example.com")

    page = open_link(client, link)
    assert page.status_code == 200
    assert "Verify <strong>carol@example.com</strong> and log in?" in page.text
    assert db.users.find_one()["email_verified"] is False  # a GET changes nothing

    response = client.post("/verify", data={"csrf_token": csrf_token_from(page.text)})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert logged_in(client)
    assert db.users.find_one()["email_verified"] is True


def test_the_link_can_be_followed_in_another_browser(app, client, var_dir):
    register(client)
    phone = app.test_client()

    assert confirm(phone, verify_link(var_dir, "carol@example.com")).status_code == 302
    assert logged_in(phone)


def test_an_unverified_account_cannot_log_in_but_can_ask_for_the_link_again(client, db, var_dir):
    register(client)

    refused = login(client)

    assert refused.status_code == 200
    assert "Verify your email address first" in refused.text
    assert 'href="/verify/resend"' in refused.text
    assert not logged_in(client)

    page = client.get("/verify/resend").text
    data = {"email": "carol@example.com", "csrf_token": csrf_token_from(page)}
    again = client.post("/verify/resend", data=data)
    assert again.status_code == 200
    assert CHECK_EMAIL in again.text
    assert len(emails_to(var_dir, "carol@example.com", "Verify")) == 2
    assert confirm(client, verify_link(var_dir, "carol@example.com")).status_code == 302
    assert login(client).status_code == 302


def test_asking_for_a_link_again_tells_nothing_either(app, client, var_dir):
    create_verified_user(app, "dave@example.com")
    answers = []
    for email in ("dave@example.com", "nobody@example.com"):
        page = client.get("/verify/resend").text
        answers.append(
            client.post(
                "/verify/resend", data={"email": email, "csrf_token": csrf_token_from(page)}
            )
        )

    assert answers[0].data.replace(b"dave@", b"nobody@") == answers[1].data
    assert emails(var_dir) == []  # a verified account needs no link


def test_the_verification_link_works_once(client, var_dir):
    register(client)
    link = verify_link(var_dir, "carol@example.com")
    assert confirm(client, link).status_code == 302

    used = open_link(client, link)

    assert used.status_code == 400
    assert INVALID_LINK in used.text


def test_the_verification_link_expires(monkeypatch, client, app, var_dir):
    with monkeypatch.context() as patch:
        made = int(time.time()) - app.config["VERIFY_EMAIL_MAX_AGE"] - 1
        patch.setattr(TimestampSigner, "get_timestamp", lambda _: made)
        register(client)

    assert open_link(client, verify_link(var_dir, "carol@example.com")).status_code == 400


def test_a_forged_verification_link_is_refused(client):
    assert client.get("/verify/not-a-token").status_code == 400
    assert client.get("/verify").status_code == 400  # nothing in the session


def test_the_token_leaves_the_url_at_once(client, var_dir):
    register(client)
    link = verify_link(var_dir, "carol@example.com")
    token = link.rsplit("/", 1)[1]

    opened = client.get(link)

    assert opened.status_code == 302
    assert token not in opened.headers["Location"]
    assert token not in client.get("/verify").text


# Nothing told -------------------------------------------------------------------


def test_a_taken_email_gets_the_same_answer_and_its_owner_a_note(app, client, db, var_dir):
    create_verified_user(app, "dave@example.com")

    taken = register(client, email="DAVE@example.com", password="another long passphrase")
    new = register(app.test_client(), email="erin@example.com", password="another long passphrase")

    assert taken.status_code == new.status_code == 200
    assert without_csrf_token(taken.data).replace(b"dave@", b"erin@") == without_csrf_token(
        new.data
    )
    assert db.users.count_documents({}) == 2
    [note] = emails_to(var_dir, "dave@example.com")
    assert note["Subject"].startswith("Someone tried to register with your email")
    assert "/login" in note.get_content()
    assert "/verify/" not in note.get_content()
    assert not logged_in(client)
    assert login(client, "dave@example.com", "another long passphrase").status_code == 200


def test_registering_again_an_unverified_email_changes_nothing(client, db, var_dir):
    register(client)
    before = db.users.find_one()

    register(client, password="someone else's passphrase")

    assert db.users.find_one() == before
    assert len(emails_to(var_dir, "carol@example.com", "Someone tried")) == 1


def test_a_reset_link_verifies_an_account_someone_else_registered_first(client, db, var_dir):
    """Account pre-hijacking: the attacker registers the victim's email; the victim's
    reset link proves the mailbox, and the attacker's password and link die."""
    register(client, password="the attacker's passphrase")
    attackers_link = verify_link(var_dir, "carol@example.com")
    victim = client.application.test_client()
    page = victim.get("/password/forgot").text
    victim.post(
        "/password/forgot", data={"email": "carol@example.com", "csrf_token": csrf_token_from(page)}
    )

    assert set_new_password(victim, reset_link(var_dir, "carol@example.com")).status_code == 302

    assert db.users.find_one()["email_verified"] is True
    assert login(victim, password="the attacker's passphrase").status_code == 200
    assert open_link(client, attackers_link).status_code == 400


# Throttled ----------------------------------------------------------------------


def test_registrations_are_throttled_per_email_alike_for_known_and_unknown(app, client, var_dir):
    create_verified_user(app, "dave@example.com")
    answers = {}
    for email in ("dave@example.com", "nobody@example.com"):
        for _ in range(REGISTER_EMAIL_THROTTLE.free_attempts):
            assert register(client, email=email).status_code == 200
        answers[email] = register(client, email=email)

    known, unknown = answers["dave@example.com"], answers["nobody@example.com"]
    assert known.status_code == unknown.status_code == 429
    assert known.headers["Retry-After"] == unknown.headers["Retry-After"] == "1"
    assert "Too many registrations." in known.text


def test_one_client_registering_many_emails_is_throttled(client):
    for number in range(REGISTER_CLIENT_THROTTLE.free_attempts):
        response = register(client, email=f"user{number}@example.com")
        assert response.status_code == 200

    assert register(client, email="another@example.com").status_code == 429


# Verified by hand ---------------------------------------------------------------


def test_create_user_makes_a_verified_account(app, client):
    with app.app_context():
        result = app.test_cli_runner().invoke(
            args=["create-user", "frank@example.com", "--password", PASSWORD]
        )

    assert result.exit_code == 0, result.output
    assert login(client, "frank@example.com").status_code == 302
