"""Two-factor login with an authenticator app (TOTP) and recovery codes, end to end
through the pages: set-up, the login's second step, replays, throttling, turning
it off, and a password reset that does not get round it."""

import re
import time

import pyotp
import pytest

from backend.auth import twofactor
from tests.conftest import PASSWORD, Browserless, csrf_token_from
from tests.outbox import emails_to, reset_link
from tests.test_account import NEW_PASSWORD, log_in, logged_in, post_account_form


def set_up_totp(client):
    """Turn TOTP on from the account page: ``(secret, recovery codes)``."""
    page = client.get("/account/totp").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    token = re.search(r'name="totp-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/account/totp", data={"totp-csrf_token": token, "totp-code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", response.get_data(True))
    return secret, codes


def code_for(secret, steps_ahead=0):
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + steps_ahead * totp.interval)


def second_step(client, code):
    page = client.get("/login/second-step")
    assert page.status_code == 200, page.headers.get("Location")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/login/second-step", data={"code": code, "csrf_token": token})


@pytest.fixture
def totp_alice(app, alice):
    secret, codes = set_up_totp(alice.client)
    return alice, secret, codes


def fresh_client(app, email="alice@example.com"):
    return Browserless(app.test_client(), email)


def test_set_up_shows_a_qr_code_as_an_svg_image_and_the_key(alice):
    page = alice.client.get("/account/totp").get_data(as_text=True)

    assert re.search(r'<img class="qr-code" src="data:image/svg\+xml', page)
    assert re.search(r'id="totp-secret">[A-Z2-7]{4}( [A-Z2-7]{1,4})+<', page)
    assert "<script>" not in page  # nothing inline: the CSP stays strict


def test_a_wrong_first_code_turns_nothing_on(app, alice, db):
    page = alice.client.get("/account/totp").get_data(as_text=True)
    token = re.search(r'name="totp-csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    response = alice.client.post(
        "/account/totp", data={"totp-csrf_token": token, "totp-code": "000000"}
    )

    assert "not the code the app shows" in response.get_data(as_text=True)
    assert "totp" not in db.users.find_one({"email": alice.email})


def test_turning_it_on_gives_ten_recovery_codes_stored_as_digests(totp_alice, db):
    alice, secret, codes = totp_alice

    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.users.find_one({"email": alice.email})
    assert stored["totp"]["secret"] == secret
    assert len(stored["recovery_codes"]) == 10
    assert not any(code.replace("-", "") in str(stored) for code in codes)
    page = alice.client.get("/account").get_data(as_text=True)
    assert "Authenticator app: <strong>on</strong>" in page
    assert "Recovery codes left: <strong>10</strong>" in page


def test_the_recovery_codes_download_as_a_file(totp_alice):
    alice, _secret, codes = totp_alice
    token = alice.fresh_csrf_token()

    response = alice.client.post(
        "/account/recovery-codes/download",
        data={"csrf_token": token, "codes": " ".join(codes) + " <script>"},
    )

    assert response.mimetype == "text/plain"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert all(code in body for code in codes) and "<script>" not in body


def test_the_login_asks_for_a_code_after_the_password_and_no_session_exists_before(
    app, totp_alice, db
):
    _alice, secret, _codes = totp_alice
    bob_browser = fresh_client(app)

    response = log_in(bob_browser.client, "alice@example.com")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/second-step")
    assert not logged_in(bob_browser.client)
    sessions = db.sessions.count_documents({})
    page = bob_browser.client.get("/login/second-step").get_data(as_text=True)
    assert "Second step" in page

    response = second_step(bob_browser.client, code_for(secret, 1))  # a step of drift

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert logged_in(bob_browser.client)
    assert db.sessions.count_documents({}) == sessions + 1


def test_a_wrong_code_is_refused(app, totp_alice):
    bob_browser = fresh_client(app)
    log_in(bob_browser.client, "alice@example.com")

    response = second_step(bob_browser.client, "123456")

    assert "That code is not right" in response.get_data(as_text=True)
    assert not logged_in(bob_browser.client)


def test_a_code_too_far_from_now_is_refused(app, totp_alice):
    _alice, secret, _codes = totp_alice
    other = fresh_client(app)
    log_in(other.client, "alice@example.com")

    assert "That code is not right" in second_step(other.client, code_for(secret, 3)).get_data(True)


def test_a_code_works_once_even_within_its_window(app, totp_alice):
    _alice, secret, _codes = totp_alice
    code = code_for(secret, 1)  # the set-up used the current step
    first, second = fresh_client(app), fresh_client(app)
    log_in(first.client, "alice@example.com")
    log_in(second.client, "alice@example.com")

    assert second_step(first.client, code).status_code == 302
    replay = second_step(second.client, code)

    assert replay.status_code == 200
    assert "That code is not right, or it was used already" in replay.get_data(as_text=True)
    assert not logged_in(second.client)


def test_the_set_up_code_cannot_be_replayed_at_login(app, db):
    alice = Browserless(app.test_client(), "carol@example.com").register()
    page = alice.client.get("/account/totp").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    token = re.search(r'name="totp-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    code = code_for(secret)
    alice.client.post("/account/totp", data={"totp-csrf_token": token, "totp-code": code})
    other = fresh_client(app, "carol@example.com")
    log_in(other.client, "carol@example.com")

    if code == code_for(secret):  # still the same step
        assert second_step(other.client, code).status_code == 200


def test_a_recovery_code_logs_in_once_and_is_told_by_email(app, totp_alice, db):
    alice, _secret, codes = totp_alice
    var_dir = app.config["VAR_DIR"]
    first, second = fresh_client(app), fresh_client(app)
    log_in(first.client, alice.email)

    response = second_step(first.client, codes[3].upper().replace("-", " "))

    assert response.status_code == 302 and logged_in(first.client)
    assert len(db.users.find_one({"email": alice.email})["recovery_codes"]) == 9
    [notice] = emails_to(var_dir, alice.email, "A recovery code was used")
    assert "You have 9 left" in notice.get_content()
    log_in(second.client, alice.email)
    assert "That code is not right" in second_step(second.client, codes[3]).get_data(True)
    assert not logged_in(second.client)


def test_wrong_codes_are_throttled_like_passwords(app, totp_alice):
    other = fresh_client(app)
    log_in(other.client, "alice@example.com")
    for _ in range(5):
        assert second_step(other.client, "000000").status_code == 200

    response = second_step(other.client, "000000")

    assert response.status_code == 429
    assert "Too many wrong codes" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) >= 1


def test_a_right_password_again_does_not_clear_the_code_count(app, totp_alice):
    """Whoever knows the password gets no fresh guesses by logging in again."""
    other = fresh_client(app)
    for _ in range(5):
        log_in(other.client, "alice@example.com")
        second_step(other.client, "000000")
    log_in(other.client, "alice@example.com")

    assert second_step(other.client, "000000").status_code == 429


def test_the_owner_s_browser_is_not_locked_out_by_someone_else_s_wrong_codes(app, totp_alice):
    alice, secret, _codes = totp_alice  # alice's browser has logged in: its device cookie
    attacker = fresh_client(app)
    log_in(attacker.client, alice.email)
    for _ in range(6):
        second_step(attacker.client, "000000")
    assert second_step(attacker.client, "000000").status_code == 429

    alice.client.post("/logout", data={"csrf_token": alice.fresh_csrf_token()})
    log_in(alice.client, alice.email)

    assert second_step(alice.client, code_for(secret, 1)).status_code == 302
    assert logged_in(alice.client)


def test_the_half_done_login_expires(app, totp_alice, monkeypatch):
    other = fresh_client(app)
    log_in(other.client, "alice@example.com")
    later = time.time() + 6 * 60
    monkeypatch.setattr(time, "time", lambda: later)

    response = other.client.get("/login/second-step")

    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_the_second_step_without_a_password_first_goes_to_the_login(client):
    response = client.get("/login/second-step")

    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_turning_it_off_needs_the_password_and_a_code(app, totp_alice, db):
    alice, secret, _codes = totp_alice

    def turn_off(password, code):
        return post_account_form(
            alice.client, "/account/totp/disable", "totp-off", password=password, code=code
        )

    assert "not your current password" in turn_off("wrong password!", code_for(secret, 1)).get_data(
        True
    )
    assert "That code is not right" in turn_off(PASSWORD, "000000").get_data(True)
    assert "totp" in db.users.find_one({"email": alice.email})

    response = turn_off(PASSWORD, code_for(secret, 1))

    assert response.status_code == 302
    stored = db.users.find_one({"email": alice.email})
    assert "totp" not in stored and "recovery_codes" not in stored
    other = fresh_client(app)
    assert log_in(other.client, alice.email).headers["Location"] == "/"


def test_new_recovery_codes_replace_the_old_ones(app, totp_alice):
    alice, _secret, old_codes = totp_alice

    response = post_account_form(
        alice.client, "/account/recovery-codes", "recovery", password=PASSWORD
    )

    new_codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", response.get_data(True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    other = fresh_client(app)
    log_in(other.client, alice.email)
    assert second_step(other.client, old_codes[0]).status_code == 200
    assert second_step(other.client, new_codes[0]).status_code == 302


def test_every_change_ends_other_sessions_is_logged_and_mailed(app, alice, db):
    elsewhere = Browserless(app.test_client(), alice.email).log_in()
    old_cookie = alice.client.get_cookie("session").value

    set_up_totp(alice.client)

    assert not logged_in(elsewhere.client)
    assert logged_in(alice.client)
    assert alice.client.get_cookie("session").value != old_cookie  # a new session id
    kinds = [e["kind"] for e in db.security_events.find({"user_id": db.users.find_one()["_id"]})]
    assert "totp_enabled" in kinds
    [notice] = emails_to(app.config["VAR_DIR"], alice.email, "Two-factor login changed")
    assert "authenticator app is on" in notice.get_content()
    page = alice.client.get("/account").get_data(as_text=True)
    assert "Two-factor login with an authenticator app turned on" in page


def test_a_password_reset_by_email_does_not_get_round_it(app, totp_alice):
    alice, secret, _codes = totp_alice
    var_dir = app.config["VAR_DIR"]
    other = fresh_client(app)
    token = csrf_token_from(other.client.get("/password/forgot").get_data(as_text=True))
    other.client.post("/password/forgot", data={"email": alice.email, "csrf_token": token})
    page = other.client.get(reset_link(var_dir, alice.email), follow_redirects=True)
    token = csrf_token_from(page.get_data(as_text=True))
    response = other.client.post(
        "/password/reset",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302 and not logged_in(other.client)

    response = log_in(other.client, alice.email, NEW_PASSWORD)

    assert response.headers["Location"].endswith("/login/second-step")
    assert not logged_in(other.client)
    assert second_step(other.client, code_for(secret, 1)).status_code == 302


def test_a_password_reset_ends_a_half_done_login(app, totp_alice, db):
    alice, _secret, _codes = totp_alice
    other = fresh_client(app)
    log_in(other.client, alice.email)
    with app.app_context():
        from backend.auth import models

        models.set_password(db.users.find_one()["_id"], NEW_PASSWORD)

    assert other.client.get("/login/second-step").status_code == 302


def test_matching_step_allows_one_step_of_drift_either_way():
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    now = 1_800_000_000
    current = now // 30

    for offset in (-1, 0, 1):
        assert twofactor.matching_step(secret, totp.at(now + 30 * offset), now) == current + offset
    assert twofactor.matching_step(secret, totp.at(now + 60), now) is None
    assert twofactor.matching_step(secret, "abcdef", now) is None


def test_the_codes_page_s_download_button_works_with_its_own_token(alice):
    page = alice.client.get("/account/totp").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    token = re.search(r'name="totp-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    shown = alice.client.post(
        "/account/totp", data={"totp-csrf_token": token, "totp-code": pyotp.TOTP(secret).now()}
    ).get_data(as_text=True)
    codes = re.search(r'name="codes" value="([^"]+)"', shown).group(1)

    response = alice.client.post(
        "/account/recovery-codes/download",
        data={"csrf_token": csrf_token_from(shown), "codes": codes},
    )

    assert response.status_code == 200
    assert codes.split()[0] in response.get_data(as_text=True)


def test_the_administrator_can_turn_it_off_for_an_owner_who_lost_everything(app, totp_alice, db):
    alice, _secret, _codes = totp_alice
    runner = app.test_cli_runner()

    with app.app_context():
        result = runner.invoke(args=["reset-two-factor", "Alice@Example.com"])
        unknown = runner.invoke(args=["reset-two-factor", "nobody@example.com"])

    assert result.exit_code == 0, result.output
    assert unknown.exit_code != 0 and "No user" in unknown.output
    stored = db.users.find_one({"email": alice.email})
    assert "totp" not in stored and "recovery_codes" not in stored
    assert not logged_in(alice.client)
    assert log_in(fresh_client(app).client, alice.email).headers["Location"] == "/"
