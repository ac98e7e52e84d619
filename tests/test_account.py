"""The account page: change email or password, end other sessions, delete the account."""

import json
import re

import pytest

from tests.conftest import PASSWORD, Browserless, csrf_token_from

NEW_PASSWORD = "a brand new passphrase"


def post_account_form(client, action, prefix, **fields):
    """Fill in one of the account page's forms (its CSRF token included) and send it."""
    page = client.get("/account").get_data(as_text=True)
    token = re.search(rf'name="{prefix}-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    return client.post(action, data={**data, f"{prefix}-csrf_token": token})


def change_email(client, email, password=PASSWORD):
    return post_account_form(client, "/account/email", "email", email=email, password=password)


def change_password(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return post_account_form(
        client,
        "/account/password",
        "password",
        current_password=current,
        password=new,
        confirm=confirm or new,
    )


def end_other_sessions(client):
    return post_account_form(client, "/account/sessions", "sessions")


def delete_account(client, password=PASSWORD):
    return post_account_form(client, "/account/delete", "delete", password=password)


def log_in(client, email, password=PASSWORD):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def logged_in(client):
    return client.get("/api/widgets").status_code == 200


def bootstrap_user(client):
    """The user the index hands to the front end."""
    page = client.get("/").get_data(as_text=True)
    return json.loads(re.search(r'<script id="bootstrap"[^>]*>(.*?)</script>', page).group(1))


def copy_of(app, user):
    """Another client holding a copy of ``user``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", user.client.get_cookie("session").value)
    assert logged_in(thief)
    return thief


def another_session_of(app, user):
    client = app.test_client()
    assert log_in(client, user.email).status_code == 302
    return client


# The page ---------------------------------------------------------------------


def test_the_account_page_needs_a_login(client):
    response = client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"


def test_the_account_page_has_a_form_per_action_each_posting_to_its_own_url(alice):
    response = alice.client.get("/account")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert alice.email in page
    for action in ("/account/email", "/account/password", "/account/sessions", "/account/delete"):
        assert f'action="{action}"' in page
    assert "This deletes your account and all your widgets" in page


def test_account_forms_need_a_csrf_token(alice):
    for action in ("/account/email", "/account/password", "/account/sessions", "/account/delete"):
        assert alice.client.post(action).status_code == 403
    assert logged_in(alice.client)


# Change email -----------------------------------------------------------------


def test_changing_the_email_updates_what_every_session_of_the_user_shows(app, alice, db):
    phone = another_session_of(app, alice)

    response = change_email(alice.client, "Alice.New@Example.com")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "Your email is now alice.new@example.com." in alice.client.get("/account").get_data(
        as_text=True
    )
    assert db.users.find_one()["email"] == "alice.new@example.com"
    assert bootstrap_user(alice.client)["email"] == "alice.new@example.com"
    assert bootstrap_user(phone)["email"] == "alice.new@example.com"


def test_after_an_email_change_only_the_new_email_logs_in(app, alice):
    change_email(alice.client, "alice.new@example.com")
    client = app.test_client()

    assert log_in(client, "alice@example.com").status_code == 200
    assert log_in(client, "alice.new@example.com").status_code == 302


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("alice.new@example.com", "wrong password", "That is not your current password."),
        ("alice.new@example.com", "", "This field is required."),
        ("not-an-email", PASSWORD, "Enter a valid email address."),
        ("BOB@example.com", PASSWORD, "An account with this email already exists."),
    ],
)
def test_a_refused_email_change_says_why_and_changes_nothing(
    alice, bob, db, email, password, message
):
    response = change_email(alice.client, email, password)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.users.count_documents({"email": "alice@example.com"}) == 1
    assert bootstrap_user(alice.client)["email"] == "alice@example.com"


# Change password --------------------------------------------------------------


def test_changing_the_password_ends_every_other_session_but_keeps_this_one(app, alice):
    phone = another_session_of(app, alice)
    thief = copy_of(app, alice)  # a copy of this very session stays in, like this one

    response = change_password(alice.client)

    assert response.status_code == 302
    page = alice.client.get("/account").get_data(as_text=True)
    assert "Your password is changed, and every other session has ended." in page
    assert logged_in(alice.client)
    assert not logged_in(phone)
    assert logged_in(thief)


def test_after_a_password_change_only_the_new_password_logs_in(app, alice):
    change_password(alice.client)
    client = app.test_client()

    assert log_in(client, alice.email, PASSWORD).status_code == 200
    assert log_in(client, alice.email, NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"current": "wrong password"}, "That is not your current password."),
        ({"confirm": "something else"}, "The passwords do not match."),
        ({"new": "short", "confirm": "short"}, "between 8 and"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(app, alice, fields, message):
    phone = another_session_of(app, alice)

    response = change_password(alice.client, **fields)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert logged_in(phone)
    assert log_in(app.test_client(), alice.email, PASSWORD).status_code == 302


# Other sessions ---------------------------------------------------------------


def test_logging_out_of_all_other_sessions_keeps_this_one(app, alice, bob):
    phone = another_session_of(app, alice)
    assert "you have 1 session open" in alice.client.get("/account").get_data(as_text=True)

    response = end_other_sessions(alice.client)

    assert response.status_code == 302
    page = alice.client.get("/account").get_data(as_text=True)
    assert "You are logged out everywhere else." in page
    assert "you have 0 sessions open" in page
    assert logged_in(alice.client)
    assert not logged_in(phone)
    assert logged_in(bob.client)  # nobody else's


# Delete the account -----------------------------------------------------------


def test_deleting_the_account_deletes_its_widgets_and_nobody_elses(app, alice, bob, db):
    for user in (alice, bob):
        for name in ("one", "two"):
            assert user.post("/api/widgets", json={"name": name}).status_code == 201
    thief = copy_of(app, alice)
    alice_id = db.users.find_one({"email": alice.email})["_id"]

    response = delete_account(alice.client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = alice.client.get("/login").get_data(as_text=True)
    assert "Your account and everything in it are deleted." in page
    assert db.users.find_one({"_id": alice_id}) is None
    assert db.widgets.count_documents({"owner_id": alice_id}) == 0
    assert db.sessions.count_documents({"user_id": alice_id}) == 0
    assert not logged_in(alice.client)
    assert not logged_in(thief)
    assert bob.get("/api/widgets").get_json()["total"] == 2
    assert log_in(app.test_client(), alice.email).status_code == 200


def test_a_deleted_account_s_email_can_register_again(app, alice):
    delete_account(alice.client)

    Browserless(app.test_client(), alice.email).register(password=NEW_PASSWORD)


def test_deleting_the_account_needs_its_password(alice, db):
    response = delete_account(alice.client, password="wrong password")

    assert response.status_code == 200
    assert "That is not your current password." in response.get_data(as_text=True)
    assert db.users.count_documents({"email": alice.email}) == 1
    assert logged_in(alice.client)
