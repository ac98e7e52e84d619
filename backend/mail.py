"""Sending email: through SMTP when SMTP_HOST is set; otherwise, outside
production, into the outbox folder ``var/mail/`` and the console, so that the
password-reset flow works on a laptop with nothing configured.
"""

import secrets
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage

from flask import current_app

SMTP_TIMEOUT_SECONDS = 10


def send_mail(to, subject, body):
    """Send a plain-text email. A failure is logged, never raised, so a page
    that sends mail to some addresses answers the same as for the others."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        if config["SMTP_HOST"]:
            _send_smtp(message, config)
        elif config["APP_ENV"] == "production":
            current_app.logger.error(
                "Email %r to %s NOT sent: SMTP_HOST is not set (see .env.example).", subject, to
            )
        else:
            path = _write_to_outbox(message, config["VAR_DIR"] / "mail")
            current_app.logger.info(
                "No SMTP_HOST set: email written to %s\nTo: %s\nSubject: %s\n\n%s",
                path,
                to,
                subject,
                body,
            )
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Email %r to %s could not be sent.", subject, to)


def _send_smtp(message, config):
    tls, context = config["SMTP_TLS"], ssl.create_default_context()  # verifies the server
    address = (config["SMTP_HOST"], config["SMTP_PORT"])
    if tls == "ssl":
        smtp = smtplib.SMTP_SSL(*address, timeout=SMTP_TIMEOUT_SECONDS, context=context)
    else:
        smtp = smtplib.SMTP(*address, timeout=SMTP_TIMEOUT_SECONDS)
    with smtp:
        if tls == "starttls":
            smtp.starttls(context=context)
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)


def _write_to_outbox(message, outbox):
    """Save ``message`` as ``<timestamp>-<id>.eml``: any mail client opens it."""
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    return path
