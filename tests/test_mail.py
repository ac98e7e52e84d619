"""Email: queued in MongoDB's outbox inside the request, sent by a worker outside it;
through SMTP when SMTP_HOST is set, else the outbox folder and the console (not in production)."""

import logging
import smtplib
import statistics
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from backend.mail import COLLECTION, FIRST_RETRY, MAX_ATTEMPTS, deliver_due, queue_mail, transport
from backend.serialization import utc_now
from backend.settings import ConfigError, load_settings
from tests.conftest import csrf_token_from
from tests.outbox import emails
from tests.servers import serving
from tests.smtp_server import smtp_server
from tests.test_password_reset import ask_for_reset


class FakeSMTP:
    """Stands in for smtplib.SMTP and SMTP_SSL, recording what the app asks of it
    (TLS and logins, which the test server of tests/smtp_server.py does not speak)."""

    def __init__(self, calls, host, port, timeout, context=None):
        self.calls = calls
        calls.append(("connect", host, port))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.calls.append(("quit",))

    def starttls(self, context):
        self.calls.append(("starttls",))

    def login(self, username, password):
        self.calls.append(("login", username, password))

    def send_message(self, message):
        self.calls.append(("send", message["To"], message["Subject"]))


@pytest.fixture
def smtp(app, monkeypatch):
    """SMTP configured; yields the calls made to the (fake) server."""
    calls = []
    for name in ("SMTP", "SMTP_SSL"):
        fake = type(name, (FakeSMTP,), {})
        monkeypatch.setattr(smtplib, name, lambda *a, fake=fake, **k: fake(calls, *a, **k))
    app.config.update(SMTP_HOST="smtp.example.com", SMTP_USERNAME="me", SMTP_PASSWORD="pw")
    return calls


@pytest.fixture
def var_dir(app):
    return Path(app.config["VAR_DIR"])


def queue(app, to="alice@example.com", subject="Hello", body="Hi"):
    with app.app_context():
        queue_mail(to, subject, body)


def deliver(app):
    with app.app_context():
        return deliver_due()


def outbox_folder(var_dir):
    return sorted((var_dir / "mail").glob("*.eml"))


# The outbox folder and the console ----------------------------------------------


def test_without_smtp_host_mail_goes_to_the_outbox_and_the_console(app, var_dir, caplog):
    caplog.set_level(logging.INFO)
    queue(app, body="Open https://example.com/x")

    [email] = emails(var_dir)
    assert email["From"] == app.config["MAIL_FROM"]
    assert email["To"] == "alice@example.com"
    assert email.get_content().strip() == "Open https://example.com/x"
    assert "Open https://example.com/x" in caplog.text


def test_queueing_sends_nothing_until_the_worker_runs(app, db, var_dir):
    queue(app)

    assert outbox_folder(var_dir) == []
    assert db[COLLECTION].find_one()["status"] == "queued"
    assert deliver(app) == 1
    assert len(outbox_folder(var_dir)) == 1
    assert db[COLLECTION].find_one()["status"] == "sent"
    assert deliver(app) == 0  # never twice


# SMTP --------------------------------------------------------------------------


def test_with_smtp_host_mail_goes_through_smtp_with_starttls_and_login(app, smtp, var_dir):
    with app.app_context():
        transport("alice@example.com", "Hello", "Hi")

    assert smtp == [
        ("connect", "smtp.example.com", 587),
        ("starttls",),
        ("login", "me", "pw"),
        ("send", "alice@example.com", "Hello"),
        ("quit",),
    ]
    assert not (var_dir / "mail").exists()


def test_smtp_tls_ssl_connects_over_tls_from_the_start(app, smtp):
    app.config.update(SMTP_TLS="ssl", SMTP_PORT=465, SMTP_USERNAME="")
    with app.app_context():
        transport("alice@example.com", "Hello", "Hi")

    assert smtp[0] == ("connect", "smtp.example.com", 465)
    assert ("starttls",) not in smtp
    assert [call[0] for call in smtp] == ["connect", "send", "quit"]


def test_the_worker_delivers_to_a_real_smtp_server(app, var_dir):
    with smtp_server(app) as server:
        queue(app, subject="Hello", body="Hi there")
        assert deliver(app) == 1

    [message] = server.messages
    assert (message["To"], message["Subject"]) == ("alice@example.com", "Hello")
    assert message.get_content().strip() == "Hi there"
    assert not (var_dir / "mail").exists()


# No mail inside a request: the slow-server probe ---------------------------------


def timed_posts(client, path, data_for, rounds=4):
    """The answers and the median time of POSTing each form of ``data_for()``."""
    answers, seconds = [], []
    for _ in range(rounds):
        token = csrf_token_from(client.get(path).get_data(as_text=True))
        start = time.perf_counter()
        answers.append(client.post(path, data={**data_for(), "csrf_token": token}))
        seconds.append(time.perf_counter() - start)
    return answers, statistics.median(seconds)


def test_a_slow_mail_server_makes_no_page_slower_for_known_emails(app, alice):
    with smtp_server(app, delay=0.03) as server:  # some 300 ms an email
        known, known_time = timed_posts(
            app.test_client(), "/password/forgot", lambda: {"email": alice.email}, rounds=3
        )
        unknown, unknown_time = timed_posts(
            app.test_client(), "/password/forgot", lambda: {"email": "nobody@example.com"}, 3
        )
        start = time.perf_counter()
        assert deliver(app) == 3
        sending_time = (time.perf_counter() - start) / 3

    assert [a.data for a in known] == [a.data for a in unknown]
    assert sending_time > 0.2
    assert abs(known_time - unknown_time) < sending_time / 4
    assert [m["To"] for m in server.messages] == [alice.email] * 3


def test_registering_a_taken_or_a_new_email_takes_as_long(app, alice):
    password = "a long and rare passphrase"
    numbers = iter(range(100))

    def new_email():
        return {
            "email": f"new{next(numbers)}@example.com",
            "password": password,
            "confirm": password,
        }

    with smtp_server(app, delay=0.03):
        taken, taken_time = timed_posts(
            app.test_client(),
            "/register",
            lambda: {"email": alice.email, "password": password, "confirm": password},
            rounds=3,
        )
        new, new_time = timed_posts(app.test_client(), "/register", new_email, rounds=3)
        start = time.perf_counter()
        assert deliver(app) == 6
        sending_time = (time.perf_counter() - start) / 6

    assert {a.status_code for a in taken + new} == {200}
    assert abs(taken_time - new_time) < sending_time / 4


# Retries, claims, restarts --------------------------------------------------------


def test_a_refused_message_is_retried_later_waiting_longer_each_time(app, db):
    with smtp_server(app, refuse=2) as server:
        queue(app)
        assert deliver(app) == 0
        first = db[COLLECTION].find_one()
        assert (first["status"], first["attempts"]) == ("queued", 1)
        assert "451" in first["last_error"]
        wait = first["next_attempt_at"] - utc_now()
        assert FIRST_RETRY - timedelta(seconds=5) < wait <= FIRST_RETRY

        assert deliver(app) == 0  # not due yet: nothing tried
        assert db[COLLECTION].find_one()["attempts"] == 1

        wind_back_retry(db)
        assert deliver(app) == 0
        second = db[COLLECTION].find_one()
        assert second["attempts"] == 2
        assert second["next_attempt_at"] - utc_now() > FIRST_RETRY * 2 - timedelta(seconds=5)

        wind_back_retry(db)
        assert deliver(app) == 1
        assert len(server.messages) == 1
        assert db[COLLECTION].find_one()["status"] == "sent"


def wind_back_retry(db):
    db[COLLECTION].update_many({}, {"$set": {"next_attempt_at": utc_now()}})


def test_a_message_that_keeps_failing_is_given_up_and_logged(app, db, caplog):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_TLS="none")  # nobody listens
    queue(app)
    for _ in range(MAX_ATTEMPTS):
        wind_back_retry(db)
        deliver(app)

    message = db[COLLECTION].find_one()
    assert (message["status"], message["attempts"]) == ("failed", MAX_ATTEMPTS)
    assert "could not be sent" in caplog.text
    assert "giving up" in caplog.text


def test_workers_running_at_once_send_each_message_exactly_once(app):
    with smtp_server(app, delay=0.002) as server:
        for number in range(24):
            queue(app, subject=f"Message {number}")
        workers = [threading.Thread(target=deliver, args=(app,)) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    subjects = sorted(m["Subject"] for m in server.messages)
    assert subjects == sorted(f"Message {number}" for number in range(24))


def test_a_message_claimed_by_a_worker_that_died_is_sent_once_its_lease_runs_out(app, db):
    with smtp_server(app) as server:
        queue(app)
        db[COLLECTION].update_one(
            {}, {"$set": {"status": "sending", "claimed_until": utc_now() + timedelta(minutes=1)}}
        )
        assert deliver(app) == 0  # another worker's, for now

        db[COLLECTION].update_one({}, {"$set": {"claimed_until": utc_now()}})
        assert deliver(app) == 1
        assert len(server.messages) == 1


def test_the_outbox_survives_a_restart_and_the_next_process_s_worker_sends_it(
    app, make_app, var_dir
):
    queue(app, subject="Queued before the restart")  # by a process that then stopped

    restarted = make_app({"MAIL_WORKER": "thread"})
    try:
        with serving(restarted) as url:
            assert requests.get(f"{url}/healthz", timeout=5).status_code == 200  # starts it
            deadline = time.monotonic() + 10
            while not outbox_folder(var_dir) and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        restarted.extensions["mail_worker"].stop()

    [path] = outbox_folder(var_dir)
    assert "Queued before the restart" in path.read_text()


def test_a_worker_thread_sends_what_its_process_queues_at_once(app, make_app, var_dir):
    live = make_app({"MAIL_WORKER": "thread"})
    try:
        with serving(live) as url:
            session = requests.Session()
            page = session.get(f"{url}/password/forgot", timeout=5).text
            data = {"email": "nobody@example.com", "csrf_token": csrf_token_from(page)}
            session.post(f"{url}/password/forgot", data=data, timeout=5)
            with live.app_context():
                queue_mail("carol@example.com", "Woken", "Hi")
            deadline = time.monotonic() + 2  # well before the next poll
            while not outbox_folder(var_dir) and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        live.extensions["mail_worker"].stop()

    assert len(outbox_folder(var_dir)) == 1


# Failures -------------------------------------------------------------------------


def test_a_failing_smtp_server_is_logged_and_the_page_answers_the_same(
    app, client, alice, monkeypatch, caplog
):
    unknown = ask_for_reset(client, "nobody@example.com")
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_TLS="none")  # nobody listens

    known = ask_for_reset(client, alice.email)
    deliver(app)

    assert known.data == unknown.data
    assert "could not be sent" in caplog.text


def test_production_without_smtp_host_logs_an_error_and_writes_nothing(
    app, client, alice, db, var_dir, caplog
):
    app.config["APP_ENV"] = "production"

    response = ask_for_reset(client, alice.email)
    deliver(app)

    assert response.status_code == 200
    assert "NOT sent: SMTP_HOST is not set" in caplog.text
    assert db[COLLECTION].find_one()["status"] == "failed"
    assert not (var_dir / "mail").exists()


def test_smtp_settings_come_from_the_environment():
    settings = load_settings(
        {
            "APP_ENV": "test",
            "SECRET_KEY": "s",
            "SMTP_HOST": "smtp.example.com",
            "SMTP_PORT": "2525",
            "SMTP_TLS": "none",
            "MAIL_FROM": "App <app@example.com>",
            "PUBLIC_URL": "https://app.example.com/",
        }
    )

    assert settings["SMTP_PORT"] == 2525
    assert settings["SMTP_TLS"] == "none"
    assert settings["MAIL_FROM"] == "App <app@example.com>"
    assert settings["PUBLIC_URL"] == "https://app.example.com"


def test_smtp_tls_must_be_a_known_mode():
    with pytest.raises(ConfigError, match="SMTP_TLS must be one of starttls, ssl, none"):
        load_settings({"APP_ENV": "test", "SECRET_KEY": "s", "SMTP_TLS": "yes"})


@pytest.mark.parametrize("missing", ["MAIL_FROM", "PUBLIC_URL"])
def test_production_with_smtp_needs_mail_from_and_public_url(missing):
    settings = {
        "SECRET_KEY": "s" * 64,
        "SMTP_HOST": "smtp.example.com",
        "MAIL_FROM": "app@example.com",
        "PUBLIC_URL": "https://app.example.com",
    }
    settings[missing] = ""

    with pytest.raises(ConfigError, match=f"SMTP_HOST is set but {missing} is not"):
        load_settings({"APP_ENV": "production", **settings})


def test_the_mail_worker_is_a_thread_except_in_tests():
    assert (
        load_settings({"APP_ENV": "production", "SECRET_KEY": "s" * 32})["MAIL_WORKER"] == "thread"
    )
    assert load_settings({"APP_ENV": "test", "SECRET_KEY": "s"})["MAIL_WORKER"] == "off"
    with pytest.raises(ConfigError, match="MAIL_WORKER must be one of thread, off"):
        load_settings({"APP_ENV": "test", "SECRET_KEY": "s", "MAIL_WORKER": "celery"})


def test_the_send_mail_command_delivers_what_is_due(app, var_dir):
    queue(app)
    queue(app, to="bob@example.com")

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["send-mail"])

    assert result.exit_code == 0, result.output
    assert "Sent 2 email(s)." in result.output
    assert len(outbox_folder(var_dir)) == 2
