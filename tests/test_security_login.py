"""Password guessing is slowed then refused, and a session ends for real at logout."""

from datetime import timedelta

import pytest

from backend.auth.throttle import COLLECTION
from backend.auth.views import ACCOUNT_THROTTLE, CLIENT_THROTTLE
from backend.serialization import utc_now
from tests.conftest import PASSWORD, Browserless, csrf_token_from


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
