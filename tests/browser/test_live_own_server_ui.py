"""Live changes against a server of the test's own (the session's is shared):
one that crashes and comes back, one that serves no live changes.

- After a restart the page says it is reconnecting, then comes back with
  Last-Event-ID and shows what changed while it was down.
- Where /api/events answers 503, the open page polls instead.
- Offline, the page says so, and shows what it missed once back online.
"""

import datetime as dt
import re
import uuid

import pytest
from bson import ObjectId
from playwright.sync_api import expect
from pymongo import MongoClient

from tests.servers import Gunicorn

from .helpers import VAR_DIRS, create_widgets, register

pytestmark = pytest.mark.browser

# Reconnection waits 1, 2, 4... seconds (with jitter) while the server is away.
BACK_IN_TIME = 20_000


@pytest.fixture
def serve(mongo_uri, tmp_path):
    """Starts a server with these settings; stops it and drops its database after the test."""
    servers = []

    def start(**settings):
        database = f"browser_{uuid.uuid4().hex[:12]}"
        servers.append(Gunicorn(mongo_uri, database, tmp_path, **settings))
        VAR_DIRS[servers[-1].url] = tmp_path  # where register() finds the verification link
        servers[-1].start()
        return servers[-1]

    yield start
    for gunicorn in servers:
        if gunicorn.process.poll() is None:
            gunicorn.stop()
        with MongoClient(mongo_uri) as client:
            client.drop_database(gunicorn.env["MONGO_DATABASE"])


@pytest.fixture
def open_page(browser):
    """A page in a browser of its own at ``url``. Failed requests are logged while
    a server is away or the browser offline: only script errors fail the test."""
    contexts, errors = [], []

    def open_at(url):
        context = browser.new_context(base_url=url)
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield open_at
    for context in contexts:
        context.close()
    assert not errors


def titles(page):
    return page.locator(".resource-item .resource-title")


def insert_widget(server, mongo_uri, email, name):
    """A widget written straight to the database, as a script would."""
    with MongoClient(mongo_uri) as client:
        db = client[server.env["MONGO_DATABASE"]]
        owner = db.users.find_one({"email": email})["_id"]
        now = dt.datetime.now(dt.UTC)
        db.widgets.insert_one(
            {"_id": ObjectId(), "owner_id": owner, "name": name, "description": "",
             "created_at": now, "updated_at": now, "version": 1}
        )  # fmt: skip


def test_after_a_restart_the_page_reconnects_and_shows_what_it_missed(
    serve, open_page, mongo_uri, email
):
    server = serve()
    page = open_page(server.url)
    register(page, email)
    status = page.locator(".live-status")
    # Following the stream before the write, as the offline test below does: a
    # write made while the page's stream is still opening reaches it only by a reload.
    expect(status).to_have_attribute("data-state", "live")
    create_widgets(page, "Before")
    expect(titles(page)).to_have_text(["Before"])

    server.crash()
    expect(status).to_have_text("Reconnecting…")
    # Written while no server is up: only the database knows.
    insert_widget(server, mongo_uri, email, "While down")

    server.start()
    expect(titles(page)).to_have_text(["While down", "Before"], timeout=BACK_IN_TIME)
    expect(status).to_have_attribute("data-state", "live")
    expect(status).to_have_text("")


def test_where_the_server_has_no_live_changes_the_page_polls(serve, open_page, email):
    # No stream may open: /api/events answers 503, as on a standalone mongod.
    server = serve(LIVE_MAX_STREAMS="0")
    page = open_page(server.url)
    register(page, email)
    expect(page.locator(".live-status")).to_have_attribute("data-state", "unavailable")

    create_widgets(page, "Polled")
    # One poll every 10 s.
    expect(titles(page)).to_have_text(["Polled"], timeout=15_000)


def test_offline_the_page_says_so_and_catches_up_once_online(serve, open_page, mongo_uri, email):
    server = serve()
    page = open_page(server.url)
    register(page, email)
    status = page.locator(".live-status")
    expect(status).to_have_attribute("data-state", "live")
    create_widgets(page, "Before")
    expect(titles(page)).to_have_text(["Before"])

    page.context.set_offline(True)
    expect(status).to_have_text(re.compile(r"^Offline"))
    insert_widget(server, mongo_uri, email, "While offline")

    page.context.set_offline(False)
    expect(titles(page)).to_have_text(["While offline", "Before"], timeout=BACK_IN_TIME)
    expect(status).to_have_text("")
