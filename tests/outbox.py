"""The emails the app sent to its outbox folder, VAR_DIR/mail/, when no SMTP_HOST is set.

The tests' apps run no mail worker (MAIL_WORKER=off): reading the folder first
delivers what the app of that VAR_DIR has queued, as its worker would. A server
in another process (the browser tests' gunicorn) runs its own worker, so the
links are waited for.
"""

import re
import time
from email import message_from_bytes, policy
from pathlib import Path

from backend.mail import deliver_due

APPS = {}  # VAR_DIR -> the app whose outbox it is (see conftest's app fixture)
VAR_DIRS = {}  # a served app's base URL -> its VAR_DIR (see tests/servers.py)
WAIT_SECONDS = 10


def deliver(var_dir):
    app = APPS.get(Path(var_dir))
    if app is not None:
        with app.app_context():
            deliver_due()


def emails(var_dir):
    """Every email sent so far, oldest first."""
    deliver(var_dir)
    paths = sorted((Path(var_dir) / "mail").glob("*.eml"))
    return [message_from_bytes(path.read_bytes(), policy=policy.default) for path in paths]


def emails_to(var_dir, to, subject=""):
    """The emails to ``to`` (whose subject contains ``subject``), oldest first."""
    return [e for e in emails(var_dir) if e["To"] == to and subject in e["Subject"]]


def link(var_dir, to, path, after=0):
    """The path of the ``path`` link (``/verify/``, say) in the latest email to ``to``
    that has one, once there are more than ``after`` such emails."""
    deadline = time.monotonic() + WAIT_SECONDS
    pattern = rf"https?://[^/\s]+({re.escape(path)}\S+)"
    while True:
        found = [re.search(pattern, e.get_content()) for e in emails(var_dir) if e["To"] == to]
        found = [match.group(1) for match in found if match]
        if len(found) > after or time.monotonic() > deadline:
            assert found, f"no email to {to} with a {path} link"
            return found[-1]
        time.sleep(0.1)


def reset_link(var_dir, to, after=0):
    """The path of the password-reset link in the last email to ``to``."""
    return link(var_dir, to, "/password/reset/", after)


def verify_link(var_dir, to, after=0):
    """The path of the verification link in the last email to ``to``."""
    return link(var_dir, to, "/verify/", after)


def verify_by_email(http, url, email):
    """Follow, with the ``requests`` session ``http``, the verification link emailed to
    ``email`` by the app served at ``url``, and press its button: logged in."""
    from tests.conftest import csrf_token_from

    path = verify_link(VAR_DIRS[url], email)
    page = http.get(f"{url}{path}", timeout=10)
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_token_from(page.text)}
    response = http.post(f"{url}/verify", data=data, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response
