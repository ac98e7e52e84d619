"""Notices by email (password changed or reset, email change requested, a login from
a browser never seen) and the security log the account page shows as recent activity."""

from pathlib import Path

import pytest

from tests.conftest import Browserless
from tests.outbox import emails, emails_to, reset_link, verify_link
from tests.test_account import (
    change_email,
    change_email_for_good,
    change_password,
    delete_account,
    end_other_sessions,
    log_in,
)
from tests.test_auth import register
from tests.test_password_reset import ask_for_reset, set_new_password
from tests.test_registration import confirm

NEW_LOGIN = "New login to your account"
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0"}


@pytest.fixture
def var_dir(app):
    return Path(app.config["VAR_DIR"])


def recent_activity(client):
    page = client.get("/account").text
    start = page.index('id="activity-heading"')
    return page[start : page.index("</section>", start)]


# A login from a browser never seen ---------------------------------------------------


def test_a_login_from_a_new_browser_is_told_by_email(app, alice, var_dir):
    stranger = app.test_client()
    stranger.environ_base.update(HTTP_USER_AGENT=BROWSER["User-Agent"], REMOTE_ADDR="198.51.100.4")

    assert log_in(stranger, alice.email).status_code == 302

    [notice] = emails_to(var_dir, alice.email, NEW_LOGIN)
    body = notice.get_content()
    assert "TestBrowser/1.0" in body
    assert "198.51.100.4" in body


def test_a_browser_that_logged_in_before_is_not_told_again(alice, var_dir):
    alice.log_in()
    alice.log_in()

    assert emails_to(var_dir, alice.email, NEW_LOGIN) == []


def test_the_very_first_login_is_no_news(app, var_dir):
    Browserless(app.test_client(), "carol@example.com").register()

    assert emails(var_dir) == []


# The other notices ----------------------------------------------------------------


def test_every_change_that_matters_is_told_to_the_address_it_concerns(app, alice, var_dir):
    change_password(alice.client, new="a brand new passphrase")
    change_email(alice.client, "alice.new@example.com", "a brand new passphrase")
    client = app.test_client()
    ask_for_reset(client, alice.email)
    set_new_password(client, reset_link(var_dir, alice.email), password="yet another passphrase")

    subjects = [e["Subject"].split(" · ")[0] for e in emails_to(var_dir, alice.email)]
    assert subjects == [
        "Your password was changed",
        "Email change requested",
        f"Reset your {app.config['APP_NAME']} password",
        "Your password was reset",
    ]
    [verify] = emails_to(var_dir, "alice.new@example.com")
    assert verify["Subject"].startswith("Verify your new email")


# The security log ------------------------------------------------------------------


def test_the_account_page_shows_recent_activity_newest_first(app, alice, var_dir):
    stranger = app.test_client()
    stranger.environ_base.update(REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Evil/6.6")
    log_in(stranger, alice.email, "a wrong guess")
    log_in(stranger, alice.email)
    end_other_sessions(alice.client)
    change_password(alice.client)

    activity = recent_activity(alice.client)

    lines = [
        "Password changed",
        "Logged out of all other sessions",
        "Logged in from a new browser, from 198.51.100.4",
        "Failed login (wrong password), from 198.51.100.4",
        "Logged in, from 127.0.0.1",
    ]
    positions = [activity.index(line) for line in lines]
    assert positions == sorted(positions)
    assert "Evil/6.6" in activity


def test_recent_activity_records_email_changes_and_resets(app, alice, var_dir):
    change_email_for_good(app, alice.client, "alice.new@example.com")
    client = app.test_client()
    ask_for_reset(client, "alice.new@example.com")
    set_new_password(client, reset_link(var_dir, "alice.new@example.com"))
    user = Browserless(app.test_client(), "alice.new@example.com").log_in("a brand new passphrase")

    activity = recent_activity(user.client)

    for line in (
        "Email change requested",
        "Email address changed",
        "Password reset by email link",
    ):
        assert line in activity


def test_recent_activity_is_escaped(app, alice):
    stranger = app.test_client()
    stranger.environ_base.update(HTTP_USER_AGENT="<script>alert(1)</script>")
    log_in(stranger, alice.email)

    activity = recent_activity(alice.client)

    assert "<script>alert(1)</script>" not in activity
    assert "&lt;script&gt;" in activity


def test_nobody_sees_another_user_s_activity(app, alice, bob):
    log_in(app.test_client(), alice.email, "a wrong guess")

    assert "Failed login" not in recent_activity(bob.client)
    assert "Failed login" in recent_activity(alice.client)


def test_deleting_the_account_deletes_its_log(app, alice, db):
    user_id = db.users.find_one({"email": alice.email})["_id"]
    assert db.security_events.count_documents({"user_id": user_id}) > 0

    delete_account(alice.client)

    assert db.security_events.count_documents({"user_id": user_id}) == 0


def test_a_fresh_account_s_log_starts_with_its_creation(app, client):

    register(client, email="carol@example.com")
    confirm(client, verify_link(Path(app.config["VAR_DIR"]), "carol@example.com"))

    activity = recent_activity(client)
    for line in ("Logged in", "Email address verified", "Account created"):
        assert line in activity
