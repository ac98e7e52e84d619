"""Password guessing is slowed then refused, and a session ends for real at logout."""

import threading
from datetime import timedelta

import pytest
import requests

from backend.account.forms import PASSWORD_CHECK_THROTTLE
from backend.auth.throttle import COLLECTION
from backend.auth.tokens import DEVICE_COOKIE
from backend.auth.views import ACCOUNT_THROTTLE, CLIENT_THROTTLE, DEVICE_THROTTLE
from backend.serialization import utc_now
from tests.conftest import PASSWORD, Browserless, create_verified_user, csrf_token_from
from tests.servers import serving
from tests.test_account import change_email, change_password, delete_account


def log_in(client, email, password, ip="127.0.0.1"):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )


def wind_back(db, throttle, key, seconds):
    """Make the last attempt look ``seconds`` older, as if time had passed."""
    counter_id = f"{throttle.name}:{key}"
    last = db[COLLECTION].find_one({"_id": counter_id})["last_attempt_at"]
    db[COLLECTION].update_one(
        {"_id": counter_id}, {"$set": {"last_attempt_at": last - timedelta(seconds=seconds)}}
    )


@pytest.fixture
def victim(app):
    return Browserless(app.test_client(), "victim@example.com").register()


def test_guessing_one_account_is_slowed_then_refused(client, db, victim):
    for _ in range(ACCOUNT_THROTTLE.free_attempts):
        response = log_in(client, victim.email, "wrong password")
        assert response.status_code == 200
        assert "Incorrect email or password." in response.get_data(as_text=True)

    refused = log_in(client, victim.email, PASSWORD)  # even the right password
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    page = refused.get_data(as_text=True)
    assert "Too many failed logins. Try again in 1 second." in page
    assert 'role="alert"' in page
    assert client.get("/api/widgets").status_code == 401

    # Each further failure doubles the wait.
    for wait in (1, 2, 4, 8):
        wind_back(db, ACCOUNT_THROTTLE, victim.email, wait)
        assert log_in(client, victim.email, "wrong password").status_code == 200
        refused = log_in(client, victim.email, "wrong password")
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == str(wait * 2)

    # Counted per account, whatever the spelling of the email or the client's address.
    assert log_in(client, " VICTIM@example.com", PASSWORD, ip="192.0.2.7").status_code == 429


def test_the_wait_is_capped_and_the_page_says_minutes(client, db, victim):
    now = utc_now()
    db[COLLECTION].insert_one(
        {
            "_id": f"{ACCOUNT_THROTTLE.name}:{victim.email}",
            "count": 10_000,
            "last_attempt_at": now,
            "expires_at": now + timedelta(hours=1),
        }
    )
    refused = log_in(client, victim.email, PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) <= ACCOUNT_THROTTLE.max_wait_seconds
    assert "Try again in 15 minutes." in refused.get_data(as_text=True)


def test_a_successful_login_clears_the_account_counter(client, db, victim):
    for _ in range(ACCOUNT_THROTTLE.free_attempts - 1):
        log_in(client, victim.email, "wrong password")
    assert log_in(client, victim.email, PASSWORD).status_code == 302
    assert db[COLLECTION].find_one({"_id": f"{ACCOUNT_THROTTLE.name}:{victim.email}"}) is None


def test_one_client_guessing_many_accounts_is_refused(app, db):
    client = app.test_client()
    for number in range(CLIENT_THROTTLE.free_attempts):
        assert (
            log_in(client, f"user{number}@example.com", "guess", ip="198.51.100.9").status_code
            == 200
        )
    refused = log_in(client, "another@example.com", "guess", ip="198.51.100.9")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    # Someone else, elsewhere, is not affected.
    assert (
        log_in(app.test_client(), "another@example.com", "guess", ip="203.0.113.1").status_code
        == 200
    )


def test_counters_expire_by_themselves(client, db, victim):
    log_in(client, victim.email, "wrong password")
    counter = db[COLLECTION].find_one({"_id": f"{ACCOUNT_THROTTLE.name}:{victim.email}"})
    assert counter["expires_at"] > counter["last_attempt_at"]
    ttl = [i for i in db[COLLECTION].list_indexes() if "expireAfterSeconds" in i]
    assert [(dict(i["key"]), i["expireAfterSeconds"]) for i in ttl] == [({"expires_at": 1}, 0)]


def test_a_cookie_copied_before_logout_no_longer_works(app, alice):
    stolen = app.test_client()
    stolen.set_cookie("session", alice.client.get_cookie("session").value)
    assert stolen.get("/api/widgets").status_code == 200

    page = alice.client.get("/login").get_data(as_text=True)
    logout = alice.client.post("/logout", data={"csrf_token": csrf_token_from(page)})
    assert logout.status_code == 302

    assert stolen.get("/api/widgets").status_code == 401
    assert stolen.get("/widgets").status_code == 302


# Counted before bcrypt, atomically ----------------------------------------------------


def test_simultaneous_wrong_logins_get_exactly_the_free_password_checks(app, victim):
    """The probe: 12 guesses at once used to get 8 password checks where 5 are allowed."""
    guesses = 12
    with serving(app) as url:
        browsers = [requests.Session() for _ in range(guesses)]
        tokens = [csrf_token_from(b.get(f"{url}/login", timeout=10).text) for b in browsers]
        start = threading.Barrier(guesses)
        answers = [None] * guesses

        def guess(number):
            data = {
                "email": victim.email,
                "password": f"guess {number}",
                "csrf_token": tokens[number],
            }
            start.wait()
            answers[number] = browsers[number].post(
                f"{url}/login", data=data, allow_redirects=False, timeout=30
            )

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    checked = [a for a in answers if a.status_code == 200]
    assert len(checked) == ACCOUNT_THROTTLE.free_attempts
    assert all("Incorrect email or password." in a.text for a in checked)
    assert [a.status_code for a in answers].count(429) == guesses - ACCOUNT_THROTTLE.free_attempts


def test_a_successful_login_costs_the_client_nothing(app, db, victim):
    client = app.test_client()
    for _ in range(CLIENT_THROTTLE.free_attempts + 5):  # an office, everyone logging in
        assert log_in(client, victim.email, PASSWORD).status_code == 302


# The owner's device is not locked out ---------------------------------------------------


def test_the_owner_s_device_still_logs_in_while_the_account_is_attacked(app, victim):
    attacker = app.test_client()
    for _ in range(ACCOUNT_THROTTLE.free_attempts):
        log_in(attacker, victim.email, "a guess", ip="203.0.113.66")
    assert log_in(attacker, victim.email, PASSWORD, ip="203.0.113.66").status_code == 429
    assert log_in(app.test_client(), victim.email, PASSWORD).status_code == 429  # a new browser

    # The owner's browser has logged in to the account before: its device cookie exempts it.
    assert victim.client.get_cookie(DEVICE_COOKIE) is not None
    assert log_in(victim.client, victim.email, PASSWORD).status_code == 302


def test_a_device_cookie_is_counted_apart_and_only_for_its_account(app, victim):
    for _ in range(DEVICE_THROTTLE.free_attempts):
        assert log_in(victim.client, victim.email, "mistyped").status_code == 200
    assert log_in(victim.client, victim.email, PASSWORD).status_code == 429  # this device

    phone = Browserless(app.test_client(), victim.email).log_in()  # no cookie yet: the account
    assert phone.client.get_cookie(DEVICE_COOKIE) is not None


def test_a_forged_or_borrowed_device_cookie_exempts_nothing(app, victim, bob):
    attacker = app.test_client()
    attacker.set_cookie(DEVICE_COOKIE, "forged")
    for _ in range(ACCOUNT_THROTTLE.free_attempts):
        log_in(attacker, victim.email, "a guess")
    assert log_in(attacker, victim.email, PASSWORD).status_code == 429

    attacker.set_cookie(DEVICE_COOKIE, bob.client.get_cookie(DEVICE_COOKIE).value)  # bob's account
    assert log_in(attacker, victim.email, PASSWORD).status_code == 429


def test_the_device_cookie_is_signed_http_only_and_long_lived(app, db):
    user = Browserless(app.test_client(), "dave@example.com")
    create_verified_user(app, user.email)
    token = csrf_token_from(user.client.get("/login").text)
    response = user.client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("device=")]

    assert "HttpOnly" in cookie.split("; ")
    assert "SameSite=Lax" in cookie.split("; ")
    assert "Max-Age=31536000" in cookie.split("; ")
    assert user.email not in cookie


# The current-password checks of the account page ---------------------------------------


def test_current_password_guesses_on_the_account_page_are_throttled(alice, db):
    """The probe: with a stolen session, 30 guesses in 7 s all answered 200."""
    for _ in range(PASSWORD_CHECK_THROTTLE.free_attempts):
        wrong = change_password(alice.client, current="a guess")
        assert wrong.status_code == 200
        assert "That is not your current password." in wrong.text

    refused = change_password(alice.client, current=PASSWORD)  # even the right one

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert "Too many wrong passwords. Try again in 1 second." in refused.text
    assert "That is not your current password." not in refused.text
    # One count for the whole page.
    assert change_email(alice.client, "x@example.com").status_code == 429
    assert delete_account(alice.client).status_code == 429

    user_id = db.users.find_one({"email": alice.email})["_id"]
    wind_back(db, PASSWORD_CHECK_THROTTLE, str(user_id), 60)
    assert change_password(alice.client, current=PASSWORD).status_code == 302
