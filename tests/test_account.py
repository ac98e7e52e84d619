"""The account page: change email or password, end other sessions, delete the account."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from backend.account import browsers
from tests.conftest import PASSWORD, Browserless, csrf_token_from, wind_back
from tests.outbox import emails_to, verify_link

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
    # The page shows no such button when there is no other session; a copy of this
    # browser's cookie may be about all the same.
    token = csrf_token_from(client.get("/login").text)
    return client.post("/account/sessions", data={"csrf_token": token})


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


def confirm_link(client, link):
    """Open an emailed verification link, then press its button."""
    page = client.get(link, follow_redirects=True)
    assert page.status_code == 200, page.text
    return client.post("/verify", data={"csrf_token": csrf_token_from(page.text)})


def change_email_for_good(app, client, email, password=PASSWORD):
    """Ask for the change, then confirm it by the link sent to the new address."""
    assert change_email(client, email, password).status_code == 302
    return confirm_link(client, verify_link(Path(app.config["VAR_DIR"]), email))


def another_session_of(app, user):
    client = app.test_client()
    assert log_in(client, user.email).status_code == 302
    return client


# The page ---------------------------------------------------------------------


def test_the_account_page_needs_a_login(client):
    response = client.get("/account")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"


def test_the_account_page_has_a_form_per_action_each_posting_to_its_own_url(app, alice):
    another_session_of(app, alice)  # else there is no other session to log out of

    response = alice.client.get("/account")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert alice.email in page
    for action in ("/account/email", "/account/password", "/account/sessions", "/account/delete"):
        assert f'action="{action}"' in page
    assert "This deletes your account and all your widgets" in page


def autofocused(page):
    return re.findall(r'<(?:input|select)[^>]* autofocus[^>]* id="([^"]+)"', page)


def test_the_page_focuses_the_first_field_then_the_first_invalid_one_of_the_failed_form(alice):
    assert autofocused(alice.client.get("/account").text) == ["email-email"]

    page = change_password(alice.client, current=PASSWORD, new="short").text

    # The form that failed, not the first form on the page.
    assert autofocused(page) == ["password-password"]


@pytest.mark.parametrize(
    "path", ["/account/email", "/account/password", "/account/sessions", "/account/delete"]
)
def test_a_form_url_opened_by_get_leads_back_to_the_account_page(alice, path):
    response = alice.client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


def test_a_page_of_its_own_under_account_is_not_redirected(alice):
    assert "authenticator" in alice.client.get("/account/totp").text.lower()


def test_account_forms_need_a_csrf_token(alice):
    for action in ("/account/email", "/account/password", "/account/sessions", "/account/delete"):
        assert alice.client.post(action).status_code == 403
    assert logged_in(alice.client)


# Change email -----------------------------------------------------------------


def test_a_new_email_takes_effect_only_once_verified_and_the_old_one_is_told(app, alice, db):
    var_dir = Path(app.config["VAR_DIR"])
    phone = another_session_of(app, alice)

    response = change_email(alice.client, "Alice.New@Example.com")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    page = alice.client.get("/account").get_data(as_text=True)
    assert "We have sent a link to alice.new@example.com" in page
    assert db.users.find_one()["email"] == "alice@example.com"  # not yet
    [notice] = emails_to(var_dir, "alice@example.com", "Email change requested")
    assert "alice.new@example.com" in notice.get_content()

    confirmed = confirm_link(alice.client, verify_link(var_dir, "alice.new@example.com"))

    assert confirmed.status_code == 302
    assert "Your email is now alice.new@example.com." in alice.client.get("/account").text
    assert db.users.find_one()["email"] == "alice.new@example.com"
    assert bootstrap_user(alice.client)["email"] == "alice.new@example.com"
    assert bootstrap_user(phone)["email"] == "alice.new@example.com"


def test_confirming_the_new_email_gives_this_browser_a_new_session_id(app, alice):
    thief = copy_of(app, alice)

    change_email_for_good(app, alice.client, "alice.new@example.com")

    assert logged_in(alice.client)
    assert not logged_in(thief)


def test_after_an_email_change_only_the_new_email_logs_in(app, alice):
    change_email_for_good(app, alice.client, "alice.new@example.com")
    client = app.test_client()

    assert log_in(client, "alice@example.com").status_code == 200
    assert log_in(client, "alice.new@example.com").status_code == 302


def test_an_email_change_link_works_once(app, alice):
    change_email(alice.client, "alice.new@example.com")
    link = verify_link(Path(app.config["VAR_DIR"]), "alice.new@example.com")
    assert confirm_link(alice.client, link).status_code == 302

    assert alice.client.get(link).status_code == 400


def test_a_taken_email_gets_the_same_answer_and_its_owner_a_note(app, alice, bob, db):
    var_dir = Path(app.config["VAR_DIR"])
    free = change_email(alice.client, "free@example.com")
    taken = change_email(alice.client, "BOB@example.com")

    assert taken.status_code == free.status_code == 302
    page = alice.client.get("/account").text
    assert "We have sent a link to bob@example.com" in page
    [note] = emails_to(var_dir, bob.email)
    assert "Someone tried to use your email" in note["Subject"]
    assert "/verify/" not in note.get_content()
    assert db.users.count_documents({"email": "alice@example.com"}) == 1


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("alice.new@example.com", "wrong password", "That is not your current password."),
        ("alice.new@example.com", "", "This field is required."),
        ("not-an-email", PASSWORD, "Enter a valid email address."),
        ("ALICE@example.com", PASSWORD, "This is your email already."),
    ],
)
def test_a_refused_email_change_says_why_and_changes_nothing(alice, db, email, password, message):
    response = change_email(alice.client, email, password)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.users.count_documents({"email": "alice@example.com"}) == 1
    assert bootstrap_user(alice.client)["email"] == "alice@example.com"


# Change password --------------------------------------------------------------


def test_changing_the_password_ends_every_other_session_and_this_one_s_copies(app, alice):
    phone = another_session_of(app, alice)
    thief = copy_of(app, alice)  # a copy of this very session cookie

    response = change_password(alice.client)

    assert response.status_code == 302
    page = alice.client.get("/account").get_data(as_text=True)
    assert "Your password is changed, and every other session has ended." in page
    assert logged_in(alice.client)  # with a new session id
    assert not logged_in(phone)
    assert not logged_in(thief)
    [notice] = emails_to(Path(app.config["VAR_DIR"]), alice.email, "Your password was changed")
    assert "If it was not you" in notice.get_content()


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
        ({"new": "short", "confirm": "short"}, "Use 12 to 128 characters."),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(app, alice, fields, message):
    phone = another_session_of(app, alice)

    response = change_password(alice.client, **fields)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert logged_in(phone)
    assert log_in(app.test_client(), alice.email, PASSWORD).status_code == 302


# Sessions ---------------------------------------------------------------------

FIREFOX_ON_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0"


def sessions_section(client):
    page = client.get("/account").text
    start = page.index('id="sessions-heading"')
    return page[start : page.index("</section>", start)]


def end_session_actions(client):
    """The action of each session's End button, on the account page."""
    return re.findall(r'action="(/account/sessions/[^"]+/end)"', sessions_section(client))


def end_action_of(client, browser):
    """The action of the End button beside ``browser``'s session."""
    items = re.findall(r"<li>.*?</li>", sessions_section(client), re.DOTALL)
    [action] = [re.search(r'action="([^"]+)"', item).group(1) for item in items if browser in item]
    return action


def end_session(client, action, with_token=True):
    data = {"csrf_token": csrf_token_from(client.get("/login").text)} if with_token else {}
    return client.post(action, data=data)


def session_ids(db):
    return sorted(session["_id"] for session in db.sessions.find())


def test_the_account_page_lists_each_session_with_its_browser_address_and_last_use(app, alice):
    phone = app.test_client()
    phone.environ_base.update(HTTP_USER_AGENT=FIREFOX_ON_ANDROID, REMOTE_ADDR="203.0.113.7")
    assert log_in(phone, alice.email).status_code == 302

    section = sessions_section(alice.client)

    assert "Firefox on Android" in section
    assert "from 203.0.113.7" in section
    assert section.count("This browser") == 1
    assert re.search(r"last used <time datetime=\"\d{4}-\d\d-\d\dT", section)
    # One End button, for the phone's session; this browser has Log out instead.
    assert len(end_session_actions(alice.client)) == 1
    assert "Log out of all other sessions" in section


def test_a_session_is_named_by_its_stored_digest_never_by_its_cookie(app, alice, db):
    phone = another_session_of(app, alice)
    [action] = end_session_actions(alice.client)
    stored_id = action.split("/")[3]

    assert stored_id in session_ids(db)
    assert stored_id not in phone.get_cookie("session").value
    # The digest in a cookie is no session (tests/test_sessions.py forges one too).
    forger = app.test_client()
    with forger.session_transaction() as session:
        session["_user_id"] = stored_id
    assert not logged_in(forger)


def test_ending_one_session_logs_that_browser_out_and_no_other(app, alice, bob):
    phone = app.test_client()
    phone.environ_base.update(HTTP_USER_AGENT=FIREFOX_ON_ANDROID)
    assert log_in(phone, alice.email).status_code == 302
    laptop = another_session_of(app, alice)
    assert logged_in(phone)

    response = end_session(alice.client, end_action_of(alice.client, "Firefox on Android"))

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "Session ended." in alice.client.get("/account").text
    assert not logged_in(phone)
    assert logged_in(laptop)
    assert logged_in(alice.client)
    assert logged_in(bob.client)
    assert "Firefox on Android" not in sessions_section(alice.client)
    assert "Ended a session in another browser" in alice.client.get("/account").text


@pytest.mark.parametrize(
    "stored_id", ["bobs", "0" * 64, "not-a-session", "%7B%22%24ne%22%3A%20null%7D"]
)
def test_ending_a_session_that_is_not_ones_own_changes_nothing(app, alice, bob, db, stored_id):
    bobs_phone = another_session_of(app, bob)
    if stored_id == "bobs":
        [action] = end_session_actions(bob.client)
    else:
        action = f"/account/sessions/{stored_id}/end"
    before = session_ids(db)

    response = end_session(alice.client, action)

    assert response.status_code == 302
    assert response.headers["Location"] == "/account"
    assert "That session had ended already." in alice.client.get("/account").text
    assert session_ids(db) == before
    assert logged_in(bobs_phone)


def test_ending_a_session_needs_a_post_with_a_csrf_token(app, alice, db):
    phone = another_session_of(app, alice)
    [action] = end_session_actions(alice.client)
    before = session_ids(db)

    assert end_session(alice.client, action, with_token=False).status_code == 403
    assert alice.client.get(action).headers["Location"] == "/account"

    assert session_ids(db) == before
    assert logged_in(phone)


def test_ending_a_session_needs_a_login(app, alice, db):
    another_session_of(app, alice)
    [action] = end_session_actions(alice.client)
    stranger = app.test_client()
    before = session_ids(db)

    response = end_session(stranger, action)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert session_ids(db) == before


def test_a_session_from_before_browsers_were_kept_shows_unknown_browser(app, alice, db):
    another_session_of(app, alice)
    db.sessions.update_many({}, {"$unset": {"user_agent": "", "ip": ""}})

    section = sessions_section(alice.client)

    assert section.count("Unknown browser") == 2
    assert "from " not in section
    assert len(end_session_actions(alice.client)) == 1


def test_the_periodic_touch_keeps_the_address_current(app, alice, db):
    wind_back(app, db, "last_used_at", timedelta(seconds=app.config["SESSION_TOUCH_INTERVAL"]))
    alice.client.environ_base.update(REMOTE_ADDR="198.51.100.23")

    assert logged_in(alice.client)

    assert db.sessions.find_one()["ip"] == "198.51.100.23"
    assert "from 198.51.100.23" in sessions_section(alice.client)


def test_behind_a_trusted_proxy_the_address_is_the_forwarded_one(make_app):
    client = make_app({"TRUSTED_PROXIES": "1"}).test_client()
    client.environ_base.update(HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9")
    Browserless(client, "proxied@example.com").register()

    assert "from 203.0.113.9" in sessions_section(client)


def test_logging_out_of_all_other_sessions_keeps_this_one(app, alice, bob):
    phone = another_session_of(app, alice)
    assert len(end_session_actions(alice.client)) == 1

    response = end_other_sessions(alice.client)

    assert response.status_code == 302
    page = alice.client.get("/account").get_data(as_text=True)
    assert "You are logged out everywhere else." in page
    assert "Where you are logged in: only here." in page
    assert "Log out of all other sessions" not in page  # nothing left to log out of
    assert logged_in(alice.client)
    assert not logged_in(phone)
    assert logged_in(bob.client)  # nobody else's


def test_logging_out_of_other_sessions_kills_a_copy_of_this_one_too(app, alice):
    thief = copy_of(app, alice)

    end_other_sessions(alice.client)

    assert logged_in(alice.client)
    assert not logged_in(thief)


@pytest.mark.parametrize(
    "user_agent, described",
    [
        (FIREFOX_ON_ANDROID, "Firefox on Android"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
            "Safari on macOS",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64) TestBrowser/1.0", "A browser on Linux"),
        ("curl/8.11.0", "Unknown browser"),
        ("", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_a_browser_is_told_by_family_and_system(user_agent, described):
    assert browsers.describe(user_agent) == described


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


def test_an_email_taken_before_the_link_is_followed_stays_unchanged(app, alice, bob, db):
    change_email(alice.client, "shared@example.com")
    link = verify_link(Path(app.config["VAR_DIR"]), "shared@example.com")
    change_email_for_good(app, bob.client, "shared@example.com")  # bob is quicker

    response = confirm_link(alice.client, link)

    assert response.headers["Location"] == "/account"
    assert "Another account has taken shared@example.com" in alice.client.get("/account").text
    assert db.users.count_documents({"email": "alice@example.com"}) == 1


def test_the_new_email_can_be_confirmed_from_a_browser_that_is_not_logged_in(app, alice, db):
    change_email(alice.client, "alice.new@example.com")
    phone = app.test_client()

    response = confirm_link(
        phone, verify_link(Path(app.config["VAR_DIR"]), "alice.new@example.com")
    )

    assert response.headers["Location"] == "/login"
    assert "Your email is now alice.new@example.com." in phone.get("/login").text
    assert db.users.find_one()["email"] == "alice.new@example.com"
    assert logged_in(alice.client)
