"""Register, log in, log out: server-rendered Flask-WTF pages, bcrypt, sessions."""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from pymongo.errors import DuplicateKeyError

from tests.conftest import PASSWORD, Browserless, create_verified_user, csrf_token_from

LOGIN_FAILED = "Incorrect email or password."


def token(client, page="/login"):
    return csrf_token_from(client.get(page).get_data(as_text=True))


def register(client, email="carol@example.com", password=PASSWORD, confirm=None, **extra):
    data = {"email": email, "password": password, "confirm": confirm or password, **extra}
    return client.post("/register", data={**data, "csrf_token": token(client, "/register")})


def login(client, email="carol@example.com", password=PASSWORD, **extra):
    data = {"email": email, "password": password, **extra}
    return client.post("/login", data={**data, "csrf_token": token(client)})


def logout(client):
    return client.post("/logout", data={"csrf_token": token(client)})


def without_csrf_token(page):
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)


def logged_in(client):
    status = client.get("/api/widgets").status_code
    assert status in (200, 401)
    return status == 200


@pytest.fixture
def carol(app):
    """A browser of a registered (and verified) user, logged out."""
    create_verified_user(app, "carol@example.com")
    return app.test_client()


# Register -------------------------------------------------------------------


def test_register_page_shows_a_csrf_protected_form(client):
    response = client.get("/register")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("csrf_token", "email", "password", "confirm"):
        assert f'name="{name}"' in page
    assert 'action="/register"' in page


def test_register_stores_a_bcrypt_hash_not_the_password(client, db):
    register(client)

    password_hash = db.users.find_one()["password_hash"]
    assert password_hash.startswith("$2b$04$")  # BCRYPT_ROUNDS=4 in the tests
    assert PASSWORD not in password_hash


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"confirm": "something else entirely"}, "The passwords do not match."),
        ({"password": "short", "confirm": "short"}, "Use 12 to 128 characters."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
    ],
)
def test_register_rejects_bad_input_with_a_message_and_creates_nobody(client, db, fields, message):
    response = register(client, **fields)

    assert response.status_code == 200
    assert message.lower() in response.get_data(as_text=True).lower()
    assert db.users.count_documents({}) == 0
    assert not logged_in(client)


def test_emails_are_unique_in_the_database_too(carol, app, db):
    with pytest.raises(DuplicateKeyError):
        db.users.insert_one({"email": "carol@example.com", "password_hash": "x"})


def test_form_fields_carry_no_empty_aria_attributes(client):
    page = register(client, password="short", confirm="short").get_data(as_text=True)

    assert '"None"' not in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="password-help"' in page


def test_register_without_csrf_token_answers_403_and_creates_nobody(client, db):
    response = client.post(
        "/register", data={"email": "x@example.com", "password": PASSWORD, "confirm": PASSWORD}
    )

    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert db.users.count_documents({}) == 0


# Log in -------------------------------------------------------------------


def test_login_page_shows_a_csrf_protected_form_with_next(client):
    page = client.get("/login?next=/widgets").get_data(as_text=True)

    assert 'name="csrf_token"' in page
    assert 'name="next" type="hidden" value="/widgets"' in page


def test_login_with_the_right_password_logs_in_and_goes_home(carol):
    response = login(carol)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert logged_in(carol)


def test_login_ignores_the_case_and_spaces_of_the_email(carol):
    assert login(carol, email=" CAROL@example.com ").status_code == 302


def test_login_fails_with_wrong_password(carol):
    response = login(carol, password="wrong password")

    assert response.status_code == 200
    assert LOGIN_FAILED in response.get_data(as_text=True)
    assert not logged_in(carol)


def test_login_fails_with_unknown_email_and_the_same_message(carol, app):
    wrong_password = login(carol, password="wrong password").get_data(as_text=True)
    unknown_email = login(carol, email="nobody@example.com").get_data(as_text=True)

    assert LOGIN_FAILED in unknown_email
    # The CSRF token is signed with a timestamp: two pages a second apart differ there.
    assert without_csrf_token(
        unknown_email.replace("nobody@example.com", "carol@example.com")
    ) == without_csrf_token(wrong_password)
    assert not logged_in(carol)


def test_failed_login_never_echoes_the_password(carol):
    page = login(carol, password="secret guess 123").get_data(as_text=True)

    assert "secret guess 123" not in page


def test_passwords_sharing_their_first_72_bytes_do_not_both_log_in(app):
    client = app.test_client()
    first, second = "x" * 72 + "first", "x" * 72 + "second"
    create_verified_user(app, "carol@example.com", first)

    assert login(client, password=second).status_code == 200
    assert not logged_in(client)
    assert login(client, password=first).status_code == 302


def test_multibyte_passwords_sharing_their_first_72_bytes_do_not_both_log_in(app):
    client = app.test_client()
    prefix = "é" * 36  # 72 bytes of UTF-8
    create_verified_user(app, "carol@example.com", prefix + "a")

    assert login(client, password=prefix + "b").status_code == 200
    assert login(client, password=prefix + "a").status_code == 302


def test_login_without_csrf_token_answers_403(carol):
    response = carol.post("/login", data={"email": "carol@example.com", "password": PASSWORD})

    assert response.status_code == 403
    assert not logged_in(carol)


def test_login_starts_a_fresh_session_so_an_earlier_csrf_token_stops_working(carol):
    before = token(carol)
    login(carol)

    response = carol.post("/api/widgets", json={"name": "x"}, headers={"X-CSRFToken": before})

    assert response.status_code == 403
    assert (
        carol.post(
            "/api/widgets", json={"name": "x"}, headers={"X-CSRFToken": token(carol)}
        ).status_code
        == 201
    )


@pytest.mark.parametrize(
    "next_path", ["/widgets", "/widgets/new", "/widgets/abc?page=2&sort=-name", "/"]
)
def test_login_follows_next_to_a_local_path(carol, next_path):
    response = login(carol, next=next_path)

    assert response.headers["Location"] == next_path


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.com",
        "///evil.com",
        "https://evil.com",
        "https://evil.com/widgets",
        "http:evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "\\/evil.com",
        "/\t/evil.com",
        "/\n/evil.com",
        "javascript:alert(1)",
        "evil.com",
        "widgets",
        "",
    ],
)
def test_login_never_follows_next_off_the_site(carol, next_path):
    response = login(carol, next=next_path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_from_the_query_string_survives_the_login_form(carol):
    page = carol.get("/login?next=https://evil.com").get_data(as_text=True)
    assert 'value="https://evil.com"' in page  # kept in the form, but never followed:

    response = login(carol, next="https://evil.com")

    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("path", ["/", "/widgets", "/widgets/new", "/widgets/abc?page=2"])
def test_pages_send_anonymous_visitors_to_login_with_next(client, path):
    response = client.get(path)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": [path]}


def test_logging_in_from_the_redirect_returns_to_the_page(carol):
    location = carol.get("/widgets/new?x=1").headers["Location"]
    next_path = parse_qs(urlsplit(location).query)["next"][0]

    assert login(carol, next=next_path).headers["Location"] == "/widgets/new?x=1"


def test_the_api_answers_401_json_instead_of_redirecting(client):
    response = client.get("/api/widgets")

    assert response.status_code == 401
    assert response.get_json() == {"error": "Log in to use the API."}


# Log out ------------------------------------------------------------------


def test_logout_ends_the_session_and_goes_to_login(app):
    user = Browserless(app.test_client(), "dave@example.com").register()

    response = logout(user.client)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert "You are logged out." in user.client.get("/login").text
    assert not logged_in(user.client)
    assert user.client.get("/").status_code == 302


def test_logout_kills_a_copied_session_cookie(app):
    user = Browserless(app.test_client(), "dave@example.com").register()
    thief = app.test_client()
    thief.set_cookie("session", user.client.get_cookie("session").value)
    assert logged_in(thief)

    logout(user.client)

    assert not logged_in(thief)


def test_logging_in_again_ends_the_previous_login(app, carol):
    user = app.test_client()
    login(user)
    thief = app.test_client()
    thief.set_cookie("session", user.get_cookie("session").value)

    login(user)

    assert logged_in(user)
    assert not logged_in(thief)


def test_logout_ends_only_its_own_session(app, carol):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)

    logout(laptop)

    assert not logged_in(laptop)
    assert logged_in(phone)


def test_logout_needs_a_post_with_a_csrf_token(alice):
    assert alice.client.get("/logout").status_code == 405
    assert alice.client.post("/logout").status_code == 403
    assert logged_in(alice.client)


def test_logout_when_logged_out_just_goes_to_login(client):
    response = logout(client)

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_a_login_lasts_fourteen_days_and_its_cookie_is_not_resent(app, carol):
    client = app.test_client()
    response = login(client)
    expires = parsedate_to_datetime(cookie_attribute(response, "Expires"))

    assert timedelta(days=13) < expires - datetime.now(UTC) <= timedelta(days=14)
    assert "Set-Cookie" not in client.get("/api/widgets").headers


def cookie_attribute(response, name, cookie="session"):
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{cookie}="))
    return next(part.split("=", 1)[1] for part in header.split("; ") if part.startswith(name))
