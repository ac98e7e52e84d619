"""Password rules (12 to 128 characters, zxcvbn's verdict against the email and the
app's name, its feedback beside the field), the same in register, reset and change;
and hashes upgraded at login when BCRYPT_ROUNDS changes."""

from pathlib import Path

import pytest
from markupsafe import escape

from backend.auth.forms import TOO_WEAK
from backend.settings import APP_NAME
from tests.conftest import PASSWORD, create_verified_user, csrf_token_from
from tests.outbox import reset_link
from tests.test_account import change_password
from tests.test_auth import login, register
from tests.test_password_reset import ask_for_reset, set_new_password

STRONG_128 = ("rare words make long passphrases " * 4)[:128]


def help_of(page, field_id):
    """The text beside a field (its errors, or its description)."""
    start = page.index(f'id="{field_id}-help"')
    return page[start : page.index("</div>", start)]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("rare words1", "Use 12 to 128 characters."),  # 11
        (STRONG_128 + "x", "Use 12 to 128 characters."),  # 129: refused, never cut
        ("12345678", "Use 12 to 128 characters."),
        ("password1234", "This is a very common password."),
        ("carol@example.com", TOO_WEAK),  # the email itself
        (f"{APP_NAME.lower()}carol", TOO_WEAK),  # the app's name and the email's name
        ("aaaaaaaaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess.'),
    ],
)
def test_register_refuses_a_weak_password_saying_why_beside_the_field(
    client, db, password, message
):
    response = register(client, password=password)

    assert response.status_code == 200
    assert str(escape(message)) in help_of(response.text, "password")
    assert db.users.count_documents({}) == 0


def test_zxcvbn_s_suggestions_are_shown_too(client):
    page = register(client, password=f"{APP_NAME.lower()}carol").text

    assert "Add another word or two. Uncommon words are better." in help_of(page, "password")


def test_a_strong_password_of_128_characters_is_taken_whole(app, client):
    create_verified_user(app, "carol@example.com", STRONG_128)

    assert login(client, password=STRONG_128[:-1] + "X").status_code == 200
    assert login(client, password=STRONG_128).status_code == 302


def test_the_field_says_the_rules_before_any_mistake(client):
    page = client.get("/register").text

    assert "12 to 128 characters, hard to guess" in help_of(page, "password")


def test_the_same_rules_apply_to_a_reset(app, client, alice):
    var_dir = Path(app.config["VAR_DIR"])
    ask_for_reset(client, alice.email)

    response = set_new_password(
        client, reset_link(var_dir, alice.email), password="alice@example.com"
    )

    assert response.status_code == 200
    assert TOO_WEAK in help_of(response.text, "password")


def test_the_same_rules_apply_to_a_change(alice):
    response = change_password(alice.client, new="alice1234567")

    assert response.status_code == 200
    assert TOO_WEAK in help_of(response.text, "password-password")
    assert "Use 12 to 128 characters." in change_password(alice.client, new="short").text


# Hash upgrades -----------------------------------------------------------------


def stored_hash(db, email="carol@example.com"):
    return db.users.find_one({"email": email})["password_hash"]


def test_a_login_rehashes_the_password_when_bcrypt_rounds_changed(app, client, db):
    create_verified_user(app, "carol@example.com")
    assert stored_hash(db).startswith("$2b$04$")
    app.config["BCRYPT_ROUNDS"] = 5

    assert login(client, password="wrong password").status_code == 200
    assert stored_hash(db).startswith("$2b$04$")  # not by a failure
    assert login(client).status_code == 302

    assert stored_hash(db).startswith("$2b$05$")
    assert login(app.test_client()).status_code == 302
    assert login(app.test_client(), password="wrong password").status_code == 200


def test_a_hash_of_today_s_rounds_is_left_as_it_is(app, client, db):
    create_verified_user(app, "carol@example.com")
    before = stored_hash(db)

    login(client, password=PASSWORD)

    assert stored_hash(db) == before


# Feedback as you type ------------------------------------------------------------


def strength(client, password, email="", token=None):
    token = token or csrf_token_from(client.get("/register").text)
    return client.post(
        "/password/strength",
        json={"password": password, "email": email},
        headers={"X-CSRFToken": token},
    )


def test_the_strength_endpoint_gives_zxcvbn_s_feedback(client):
    weak = strength(client, "password1234")

    assert weak.status_code == 200
    assert weak.get_json()["problems"][:2] == [TOO_WEAK, "This is a very common password."]
    assert strength(client, PASSWORD).get_json() == {"problems": []}
    assert strength(client, "carol@example.com", email="carol@example.com").get_json()["problems"]
    assert "Use 12 to 128 characters." in strength(client, "short").get_json()["problems"]
    assert strength(client, STRONG_128 + "x").get_json() == {
        "problems": ["Use 12 to 128 characters."]
    }


def test_the_strength_endpoint_needs_a_csrf_token_and_json(client):
    assert client.post("/password/strength", json={"password": "x"}).status_code == 403
    token = csrf_token_from(client.get("/register").text)
    headers = {"X-CSRFToken": token}
    assert client.post("/password/strength", data="[]", headers=headers).status_code == 400
    bad = client.post("/password/strength", json={"password": 1}, headers=headers)
    assert bad.status_code == 400


def test_new_password_fields_are_marked_for_the_feedback(alice):
    register_page = alice.client.get("/register").text
    account_page = alice.client.get("/account").text

    assert 'data-strength=""' in register_page
    assert "password-strength.js" in register_page
    assert f'data-strength="{alice.email}"' in account_page
    assert account_page.count("data-strength") == 1  # not the confirmation, not the current one
