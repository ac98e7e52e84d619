"""Email: SMTP when SMTP_HOST is set, else the outbox folder and the console (not in production)."""

import logging
import smtplib
from pathlib import Path

import pytest

from backend.mail import send_mail
from backend.settings import ConfigError, load_settings
from tests.outbox import emails
from tests.test_password_reset import ask_for_reset


class FakeSMTP:
    """Stands in for smtplib.SMTP and SMTP_SSL, recording what the app asks of it."""

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


def refuse_connection(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def smtp(app, monkeypatch):
    """SMTP configured; yields the calls made to the (fake) server."""
    calls = []
    for name in ("SMTP", "SMTP_SSL"):
        fake = type(name, (FakeSMTP,), {})
        monkeypatch.setattr(smtplib, name, lambda *a, fake=fake, **k: fake(calls, *a, **k))
    app.config.update(SMTP_HOST="smtp.example.com", SMTP_USERNAME="me", SMTP_PASSWORD="pw")
    return calls


def test_without_smtp_host_mail_goes_to_the_outbox_and_the_console(app, caplog):
    caplog.set_level(logging.INFO)
    with app.app_context():
        send_mail("alice@example.com", "Hello", "Open https://example.com/x")

    [email] = emails(Path(app.config["VAR_DIR"]))
    assert email["From"] == app.config["MAIL_FROM"]
    assert email["To"] == "alice@example.com"
    assert email.get_content().strip() == "Open https://example.com/x"
    assert "Open https://example.com/x" in caplog.text


def test_with_smtp_host_mail_goes_through_smtp_with_starttls_and_login(app, smtp):
    with app.app_context():
        send_mail("alice@example.com", "Hello", "Hi")

    assert smtp == [
        ("connect", "smtp.example.com", 587),
        ("starttls",),
        ("login", "me", "pw"),
        ("send", "alice@example.com", "Hello"),
        ("quit",),
    ]
    assert not (Path(app.config["VAR_DIR"]) / "mail").exists()


def test_smtp_tls_ssl_connects_over_tls_from_the_start(app, smtp):
    app.config.update(SMTP_TLS="ssl", SMTP_PORT=465, SMTP_USERNAME="")
    with app.app_context():
        send_mail("alice@example.com", "Hello", "Hi")

    assert smtp[0] == ("connect", "smtp.example.com", 465)
    assert ("starttls",) not in smtp
    assert [call[0] for call in smtp] == ["connect", "send", "quit"]


def test_a_failing_smtp_server_is_logged_and_the_page_answers_the_same(
    app, client, alice, monkeypatch, caplog
):
    unknown = ask_for_reset(client, "nobody@example.com")
    app.config["SMTP_HOST"] = "smtp.example.com"
    monkeypatch.setattr(smtplib, "SMTP", refuse_connection)

    known = ask_for_reset(client, alice.email)

    assert known.data == unknown.data
    assert "could not be sent" in caplog.text


def test_production_without_smtp_host_logs_an_error_and_writes_nothing(app, client, alice, caplog):
    app.config["APP_ENV"] = "production"

    response = ask_for_reset(client, alice.email)

    assert response.status_code == 200
    assert "NOT sent: SMTP_HOST is not set" in caplog.text
    assert not (Path(app.config["VAR_DIR"]) / "mail").exists()


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
