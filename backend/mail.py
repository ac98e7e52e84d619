"""Email, never sent inside a request: a durable outbox in MongoDB and a worker.

A page that has something to tell by email queues it (``queue_mail``), in the
same request as the change it reports, which costs one insert whether or not
anything is sent: every page answers in the same time for every address.

The worker delivers the outbox. It claims each message atomically (one
``find_one_and_update`` from ``queued`` to ``sending``, with a lease), so any
number of workers share one outbox and each message goes out once; a message
whose sending fails is tried again later, waiting twice as long each time, up
to MAX_ATTEMPTS; a worker that dies mid-send leaves a lease that runs out, and
another worker takes the message up again (the one case where a message may
go out twice: the server took it, but the worker died before saying so).

Where it runs: a daemon thread in each web process (MAIL_WORKER=thread, the
default outside tests), started with the process's first request, so after
gunicorn forks its workers, and woken at once by the messages this process
queues. No extra service to deploy, to forget in ``docker-compose.yml`` or to
start in ``make dev``, and so no mail lost to a missing one; the atomic claims
make two, four or forty such threads as safe as one, and the cost is one
indexed query per process every POLL_SECONDS. ``flask --app backend
send-mail`` delivers what is due from the command line too.

Delivery: through SMTP when SMTP_HOST is set; otherwise, outside production,
into the outbox folder ``var/mail/`` and the console, so that every emailed
link works on a laptop with nothing configured.
"""

import secrets
import smtplib
import ssl
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import PyMongoError

from backend.extensions import mongo
from backend.process import PerProcess
from backend.serialization import utc_now

COLLECTION = "outbox"
SMTP_TIMEOUT_SECONDS = 10
POLL_SECONDS = 5
LEASE = timedelta(minutes=2)  # longer than an SMTP exchange may take
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 8
KEEP_FOR = timedelta(days=30)  # sent or failed messages, for whoever investigates

mongo.add_indexes(
    COLLECTION,
    [
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
        IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
    ],
)


class NotSent(Exception):
    """A message that cannot go out, and never will as things are configured."""


def queue_mail(to, subject, body):
    """Queue a plain-text email; the worker sends it soon after."""
    now = utc_now()
    mongo.db[COLLECTION].insert_one(
        {
            "to": to,
            "subject": subject,
            "body": body,
            "status": "queued",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
        }
    )
    worker = current_app.extensions.get("mail_worker")
    if worker:
        worker.wake()


def deliver_due():
    """Send every message that is due now, one claim at a time; how many went out."""
    sent = 0
    while message := claim_next():
        sent += deliver(message)
    return sent


def claim_next():
    """Take the next due message for this worker, or None; nobody else gets it meanwhile."""
    now = utc_now()
    return mongo.db[COLLECTION].find_one_and_update(
        {
            "$or": [
                {"status": "queued", "next_attempt_at": {"$lte": now}},
                # A worker that died while sending: its lease has run out.
                {"status": "sending", "claimed_until": {"$lte": now}},
            ]
        },
        {
            "$set": {
                "status": "sending",
                "claim": secrets.token_hex(8),
                "claimed_until": now + LEASE,
            },
            "$inc": {"attempts": 1},
        },
        sort=[("next_attempt_at", ASCENDING)],
        return_document=ReturnDocument.AFTER,
    )


def deliver(message):
    """Send one claimed message and record how it went: True if it went out."""
    outbox, now = mongo.db[COLLECTION], utc_now()
    mine = {"_id": message["_id"], "claim": message["claim"]}
    try:
        transport(message["to"], message["subject"], message["body"])
    except (OSError, smtplib.SMTPException, NotSent) as error:
        final = isinstance(error, NotSent) or message["attempts"] >= MAX_ATTEMPTS
        wait = min(FIRST_RETRY * 2 ** (message["attempts"] - 1), MAX_RETRY_WAIT)
        current_app.logger.warning(
            "Email %r to %s could not be sent (attempt %d%s): %s",
            message["subject"],
            message["to"],
            message["attempts"],
            ", giving up" if final else f", next in {wait}",
            error,
        )
        changes = (
            {"status": "failed", "expires_at": now + KEEP_FOR}
            if final
            else {
                "status": "queued",
                "next_attempt_at": now + wait,
            }
        )
        outbox.update_one(mine, {"$set": {**changes, "last_error": str(error)}})
        return False
    outbox.update_one(
        mine, {"$set": {"status": "sent", "sent_at": now, "expires_at": now + KEEP_FOR}}
    )
    return True


def transport(to, subject, body):
    """Hand one email to SMTP, or to the development outbox; raise if it fails."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if config["SMTP_HOST"]:
        _send_smtp(message, config)
    elif config["APP_ENV"] == "production":
        current_app.logger.error(
            "Email %r to %s NOT sent: SMTP_HOST is not set (see .env.example).", subject, to
        )
        raise NotSent("SMTP_HOST is not set")
    else:
        path = _write_to_outbox(message, config["VAR_DIR"] / "mail")
        current_app.logger.info(
            "No SMTP_HOST set: email written to %s\nTo: %s\nSubject: %s\n\n%s",
            path,
            to,
            subject,
            body,
        )


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


class Worker:
    """The outbox's worker thread of one process (see the module's docstring)."""

    def __init__(self, app):
        self.app = app
        self._event = threading.Event()
        self._stopped = False
        self._thread = PerProcess(self._start)

    def ensure_running(self):
        """Start the thread in this process, once (a forked process has none)."""
        self._thread.get()

    def _start(self):
        self._stopped = False
        thread = threading.Thread(target=self._run, name="mail-worker", daemon=True)
        thread.start()
        return thread

    def wake(self):
        self._event.set()

    def stop(self):
        """Stop this process's thread; the next ``ensure_running`` starts another."""
        self._stopped = True
        self._event.set()
        thread = self._thread.peek()
        if thread is not None:
            thread.join(timeout=SMTP_TIMEOUT_SECONDS + 1)
            if not thread.is_alive():  # else still sending: it stops after this message
                self._thread.reset()

    def _run(self):
        while not self._stopped:
            self._event.clear()
            try:
                with self.app.app_context():
                    deliver_due()
            except PyMongoError as error:  # the database is away: try again later
                self.app.logger.warning("Mail worker: %s", error)
            except Exception:
                self.app.logger.exception("Mail worker failed; it carries on.")
            self._event.wait(POLL_SECONDS)


def init_mail(app):
    if app.config["MAIL_WORKER"] != "thread":
        return
    worker = app.extensions["mail_worker"] = Worker(app)
    app.before_request(worker.ensure_running)
