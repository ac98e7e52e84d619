"""Live changes across a server restart: the page says it is reconnecting,
then comes back with Last-Event-ID and shows what changed while it was down.

This test stops and starts a gunicorn of its own (the session's is shared),
on one port, over the session's database server.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from bson import ObjectId
from playwright.sync_api import expect
from pymongo import MongoClient

from devtools.embedded_mongo import free_port
from tests.servers import wait_until_healthy

from .helpers import create_widgets, register

pytestmark = pytest.mark.browser

PROJECT_DIR = Path(__file__).resolve().parents[2]
# Reconnection waits 1, 2, 4... seconds (with jitter) while the server is away.
BACK_IN_TIME = 20_000


class Gunicorn:
    """The app under gunicorn, as the session's live_server runs it, restartable."""

    def __init__(self, mongo_uri, database, var_dir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "APP_ENV": "test",
            "MONGO_URI": mongo_uri,
            "MONGO_DATABASE": database,
            "SECRET_KEY": "browser-test-secret-key",
            "BCRYPT_ROUNDS": "4",
            "VAR_DIR": str(var_dir),
            "SMTP_HOST": "",
        }
        self.process = None

    def start(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [gunicorn, "tests.sample_app:create_app()", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--config", "python:backend.live.gunicorn", "--threads", "16"]
        # A process group of its own, so that crash() can kill the workers too.
        self.process = subprocess.Popen(
            command, cwd=PROJECT_DIR, env=self.env, start_new_session=True
        )
        wait_until_healthy(self.url, self.process)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)

    def crash(self):
        """Kills master and workers at once, as a crash or a killed container
        would: no stream ends cleanly, the page just loses its connection."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)


@pytest.fixture
def server(mongo_uri, tmp_path):
    database = f"browser_{uuid.uuid4().hex[:12]}"
    gunicorn = Gunicorn(mongo_uri, database, tmp_path)
    gunicorn.start()
    yield gunicorn
    if gunicorn.process.poll() is None:
        gunicorn.stop()
    with MongoClient(mongo_uri) as client:
        client.drop_database(database)


def test_after_a_restart_the_page_reconnects_and_shows_what_it_missed(
    browser, server, mongo_uri, email
):
    context = browser.new_context(base_url=server.url)
    context.set_default_timeout(5000)
    errors = []
    try:
        page = context.new_page()
        # Failed connections are logged while the server is away; script errors are not expected.
        page.on("pageerror", lambda error: errors.append(str(error)))
        register(page, email)
        create_widgets(page, "Before")
        status = page.locator(".live-status")
        expect(page.locator(".resource-item .resource-title")).to_have_text(["Before"])
        expect(status).to_have_attribute("data-state", "live")

        server.crash()
        expect(status).to_have_text("Reconnecting…")

        # Written while no server is up: only the database knows.
        with MongoClient(mongo_uri) as client:
            db = client[server.env["MONGO_DATABASE"]]
            owner = db.users.find_one({"email": email})["_id"]
            now = dt.datetime.now(dt.UTC)
            db.widgets.insert_one(
                {"_id": ObjectId(), "owner_id": owner, "name": "While down", "description": "",
                 "created_at": now, "updated_at": now, "version": 1}
            )  # fmt: skip

        server.start()
        expect(page.locator(".resource-item .resource-title")).to_have_text(
            ["While down", "Before"], timeout=BACK_IN_TIME
        )
        expect(status).to_have_attribute("data-state", "live")
        expect(status).to_have_text("")
    finally:
        context.close()
    assert not errors
