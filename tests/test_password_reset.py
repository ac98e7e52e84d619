"""Forgotten passwords: a link by email that works once, expires, and tells nobody
which emails have accounts."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from itsdangerous import TimestampSigner

from backend.auth.views import ACCOUNT_THROTTLE, RESET_CLIENT_THROTTLE, RESET_EMAIL_THROTTLE
from backend.settings import load_settings
from devtools.embedded_mongo import free_port
from tests.conftest import PASSWORD, csrf_token_from
from tests.outbox import emails, emails_to, reset_link
from tests.servers import wait_until_healthy
from tests.test_account import change_email_for_good, change_password, log_in, logged_in

NEW_PASSWORD = "a brand new passphrase"
INVALID_LINK = "This link is invalid, expired or already used."


@pytest.fixture
def var_dir(app):
    return Path(app.config["VAR_DIR"])


def ask_for_reset(client, email, ip="127.0.0.1"):
    token = csrf_token_from(client.get("/password/forgot").get_data(as_text=True))
    return client.post(
        "/password/forgot",
        data={"email": email, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )


def open_link(client, link):
    """Follow an emailed link: it answers a redirect to a URL without its token."""
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    assert opened.headers["Location"] == "/password/reset"
    return client.get(opened.headers["Location"])


def set_new_password(client, link, password=NEW_PASSWORD, confirm=None):
    page = open_link(client, link)
    if page.status_code != 200:
        return page
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/password/reset",
        data={"password": password, "confirm": confirm or password, "csrf_token": token},
    )


def link_made_seconds_ago(monkeypatch, client, var_dir, email, seconds):
    """Ask for a link with itsdangerous' clock turned back by ``seconds``."""
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda _: int(time.time()) - seconds)
        ask_for_reset(client, email)
    return reset_link(var_dir, email)


def without_csrf_token(page):
    return re.sub(rb'name="csrf_token" type="hidden" value="[^"]+"', b"", page)


# The whole flow ---------------------------------------------------------------


def test_the_login_page_links_to_the_forgotten_password_form(client):
    page = client.get("/login").get_data(as_text=True)

    assert '<a href="/password/forgot">Forgot your password?</a>' in page


def test_a_reset_link_by_email_sets_a_new_password_then_sends_to_login(client, alice, var_dir):
    response = ask_for_reset(client, "ALICE@example.com")

    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    [email] = emails(var_dir)
    assert email["To"] == alice.email
    assert email["Subject"] == f"Reset your {client.application.config['APP_NAME']} password"
    assert "within 60 minutes" in email.get_content()
    link = reset_link(var_dir, alice.email)

    form = open_link(client, link)
    assert form.status_code == 200
    assert 'name="confirm"' in form.get_data(as_text=True)

    response = set_new_password(client, link)

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Your password is changed. Log in with your new password." in page
    assert log_in(client, alice.email, PASSWORD).status_code == 200
    assert log_in(client, alice.email, NEW_PASSWORD).status_code == 302


def test_an_unknown_email_gets_byte_for_byte_the_same_answer_and_no_email(client, alice, var_dir):
    known = ask_for_reset(client, alice.email)
    unknown = ask_for_reset(client, "nobody@example.com")

    assert unknown.status_code == known.status_code == 200
    assert unknown.headers == known.headers
    assert unknown.data == known.data
    assert [email["To"] for email in emails(var_dir)] == [alice.email]


def test_a_reset_ends_every_session_of_the_user(app, client, alice, var_dir):
    phone = app.test_client()
    assert log_in(phone, alice.email).status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", alice.client.get_cookie("session").value)

    ask_for_reset(client, alice.email)
    set_new_password(client, reset_link(var_dir, alice.email))

    assert not logged_in(alice.client)
    assert not logged_in(phone)
    assert not logged_in(thief)


def test_a_reset_lifts_the_login_throttle_of_the_account(client, alice, var_dir):
    for _ in range(ACCOUNT_THROTTLE.free_attempts):
        log_in(client, alice.email, "wrong password")
    assert log_in(client, alice.email, PASSWORD).status_code == 429

    ask_for_reset(client, alice.email)
    set_new_password(client, reset_link(var_dir, alice.email))

    assert log_in(client, alice.email, NEW_PASSWORD).status_code == 302


def test_a_refused_new_password_says_why_and_the_link_still_works(client, alice, var_dir):
    ask_for_reset(client, alice.email)
    link = reset_link(var_dir, alice.email)

    response = set_new_password(client, link, confirm="something else")

    assert response.status_code == 200
    assert "The passwords do not match." in response.get_data(as_text=True)
    assert set_new_password(client, link).status_code == 302


def test_the_forgotten_password_form_wants_an_email(client, var_dir):
    response = ask_for_reset(client, "not-an-email")

    assert response.status_code == 200
    assert "Enter a valid email address." in response.get_data(as_text=True)
    assert emails(var_dir) == []


# The link dies ----------------------------------------------------------------


def test_a_reset_link_works_only_once(client, alice, var_dir):
    ask_for_reset(client, alice.email)
    link = reset_link(var_dir, alice.email)
    assert set_new_password(client, link).status_code == 302

    used = open_link(client, link)
    assert used.status_code == 400
    assert INVALID_LINK in used.get_data(as_text=True)
    again = set_new_password(client, link, password="a third password")
    assert again.status_code == 400
    assert log_in(client, alice.email, NEW_PASSWORD).status_code == 302


def test_a_reset_link_dies_when_the_password_is_changed_another_way(client, alice, var_dir):
    ask_for_reset(client, alice.email)
    link = reset_link(var_dir, alice.email)

    change_password(alice.client, new="changed on the account page")

    assert client.get(link).status_code == 400


def test_using_one_reset_link_kills_the_others(client, alice, var_dir):
    ask_for_reset(client, alice.email)
    first = reset_link(var_dir, alice.email)
    ask_for_reset(client, alice.email)
    second = reset_link(var_dir, alice.email)

    assert set_new_password(client, second).status_code == 302
    assert client.get(first).status_code == 400


@pytest.mark.parametrize(("age", "status"), [(60 * 60 - 60, 302), (60 * 60 + 1, 400)])
def test_a_reset_link_expires_after_an_hour(monkeypatch, client, alice, var_dir, age, status):
    link = link_made_seconds_ago(monkeypatch, client, var_dir, alice.email, age)

    assert client.get(link).status_code == status


def test_password_reset_max_age_sets_the_expiry(monkeypatch, app, client, alice, var_dir):
    app.config["PASSWORD_RESET_MAX_AGE"] = 60

    link = link_made_seconds_ago(monkeypatch, client, var_dir, alice.email, 61)

    assert client.get(link).status_code == 400
    settings = load_settings({"APP_ENV": "test", "SECRET_KEY": "s", "PASSWORD_RESET_MAX_AGE": "60"})
    assert settings["PASSWORD_RESET_MAX_AGE"] == 60


def test_a_forged_or_tampered_link_is_refused(app, client, alice, var_dir):
    ask_for_reset(client, alice.email)
    link = reset_link(var_dir, alice.email)
    app.config["SECRET_KEY"] = "another key"  # a token signed by someone else

    assert client.get(link).status_code == 400
    assert client.get("/password/reset/not-a-token").status_code == 400


def test_the_link_uses_public_url_not_the_host_header(app, client, alice, var_dir):
    app.config["PUBLIC_URL"] = "https://app.example.com"

    forged = {"Host": "evil.example.net"}
    page = client.get("/password/forgot", headers=forged).get_data(as_text=True)
    data = {"email": alice.email, "csrf_token": csrf_token_from(page)}
    assert client.post("/password/forgot", data=data, headers=forged).status_code == 200

    assert "https://app.example.com/password/reset/" in emails(var_dir)[-1].get_content()


# Throttling -------------------------------------------------------------------


def test_reset_requests_are_throttled_per_email_alike_for_known_and_unknown(client, alice, var_dir):
    answers = {}
    for email in (alice.email, "nobody@example.com"):
        for _ in range(RESET_EMAIL_THROTTLE.free_attempts):
            assert ask_for_reset(client, email).status_code == 200
        answers[email] = ask_for_reset(client, email)

    known, unknown = answers[alice.email], answers["nobody@example.com"]
    assert known.status_code == unknown.status_code == 429
    assert known.headers["Retry-After"] == unknown.headers["Retry-After"] == "1"
    assert "Too many requests for a reset link. Try again in 1 second." in known.text
    assert without_csrf_token(unknown.data).replace(
        b"nobody@example.com", alice.email.encode()
    ) == without_csrf_token(known.data)
    assert len(emails(var_dir)) == RESET_EMAIL_THROTTLE.free_attempts


def test_one_client_asking_for_many_emails_is_throttled(client):
    for number in range(RESET_CLIENT_THROTTLE.free_attempts):
        assert (
            ask_for_reset(client, f"user{number}@example.com", ip="198.51.100.9").status_code == 200
        )

    assert ask_for_reset(client, "another@example.com", ip="198.51.100.9").status_code == 429
    assert ask_for_reset(client, "another@example.com", ip="203.0.113.1").status_code == 200


# The token leaves the URL -----------------------------------------------------


def test_the_token_moves_into_the_session_and_out_of_the_url(client, alice, var_dir):
    ask_for_reset(client, alice.email)
    link = reset_link(var_dir, alice.email)
    token = link.rsplit("/", 1)[1]

    opened = client.get(link)

    assert opened.status_code == 302
    assert opened.headers["Location"] == "/password/reset"
    form = client.get("/password/reset")  # what a Referer from this page would show
    assert form.status_code == 200
    assert token not in form.text
    assert 'action="/password/reset"' in form.text


def test_the_token_free_url_does_nothing_in_another_browser(app, client, alice, var_dir):
    ask_for_reset(client, alice.email)
    client.get(reset_link(var_dir, alice.email))

    assert app.test_client().get("/password/reset").status_code == 400


def test_gunicorn_s_access_log_never_shows_the_token(alice, settings, tmp_path, var_dir, client):
    ask_for_reset(client, alice.email)
    link = reset_link(var_dir, alice.email)
    token = link.rsplit("/", 1)[1]
    access_log = tmp_path / "access.log"
    port = free_port()
    env = {**os.environ, **settings, "APP_ENV": "test"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
            "backend:create_app()",
            *("--bind", f"127.0.0.1:{port}", "--access-logfile", str(access_log)),
            *("--logger-class", "backend.access_log.RedactingLogger"),
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(url, server)
        assert requests.get(f"{url}{link}", allow_redirects=False, timeout=10).status_code == 302
        requests.get(f"{url}/verify/resend", timeout=10)
    finally:
        server.terminate()
        server.wait(timeout=10)

    logged = access_log.read_text()
    assert "GET /password/reset/[token] HTTP/1.1" in logged
    assert "GET /verify/resend HTTP/1.1" in logged
    assert token not in logged


# Bound to the email and the last login -------------------------------------------


def test_a_reset_link_asked_before_an_email_change_dies_with_it(app, client, alice, var_dir):
    """The probe: the token bound only the user id and the password hash."""
    ask_for_reset(client, alice.email)
    link = reset_link(var_dir, alice.email)

    change_email_for_good(app, alice.client, "alice.new@example.com")

    assert client.get(link).status_code == 400


def test_a_reset_link_dies_when_the_user_logs_in_meanwhile(app, client, alice, var_dir):
    ask_for_reset(client, alice.email)
    link = reset_link(var_dir, alice.email)

    assert log_in(app.test_client(), alice.email).status_code == 302

    assert client.get(link).status_code == 400


def test_a_reset_is_told_by_email(client, alice, var_dir):
    ask_for_reset(client, alice.email)
    set_new_password(client, reset_link(var_dir, alice.email))

    [notice] = emails_to(var_dir, alice.email, "Your password was reset")
    assert "If it was not you" in notice.get_content()
