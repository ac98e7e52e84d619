"""Shared fixtures: one real MongoDB wire-protocol server per test session.

Tests use ``MONGO_URI`` when it is set (a real mongod, say), otherwise they
start the embedded SecantusDB server on a temporary path. Each test gets a
database of its own, dropped afterwards.
"""

import os
import re
import uuid

import pytest
from pymongo import MongoClient

from backend import create_app
from backend.auth import models
from devtools.embedded_mongo import EmbeddedMongo
from tests import outbox
from tests.sample_app import RESOURCES
from tests.servers import wait_for

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory):
    if os.environ.get("MONGO_URI"):
        yield os.environ["MONGO_URI"]
        return
    server = EmbeddedMongo.start(tmp_path_factory.mktemp("mongo"))
    yield server.uri
    server.stop()


@pytest.fixture
def settings(mongo_uri, tmp_path):
    # The test's database is dropped after it (and after its apps are closed:
    # they come from fixtures that need this one), whatever wrote to it.
    database = f"test_{uuid.uuid4().hex[:12]}"
    yield {
        "APP_ENV": "test",
        "MONGO_URI": mongo_uri,
        "MONGO_DATABASE": database,
        "SECRET_KEY": "test-secret-key-" + "k" * 32,
        "BCRYPT_ROUNDS": "4",
        "VAR_DIR": str(tmp_path / "var"),  # emails go to its mail/ (see tests/outbox.py)
        "SMTP_HOST": "",  # never real email, whatever .env says
        "MAIL_WORKER": "off",  # tests deliver the outbox themselves (tests/outbox.py)
    }
    with MongoClient(mongo_uri) as client:
        client.drop_database(database)


@pytest.fixture
def app(make_app):
    # Every registered resource, and the tests' own (tests/sample_resources.py).
    app = make_app(resources=RESOURCES)
    outbox.APPS[app.config["VAR_DIR"]] = app
    yield app
    outbox.APPS.pop(app.config["VAR_DIR"], None)


@pytest.fixture
def make_app(settings):
    """``make_app(overrides, resources=...)``: an app of the test's settings with
    ``overrides``, closed after the test. An app left open keeps its client and
    its change-stream threads, which report failures once this session's
    database stops, after every test has passed."""
    made = []

    def make(overrides=None, **options):
        made.append(create_app({**settings, **(overrides or {})}, **options))
        return made[-1]

    yield make
    for app in made:
        app.extensions["mongo"].close()


@pytest.fixture
def db(app):
    # No app context is held open: requests made during the test would share
    # it, and with it ``g`` and Flask-Login's cached user.
    return app.extensions["mongo"].db


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token_from(html):
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def create_verified_user(app, email, password=PASSWORD):
    """A user who registered and followed the link (tests/test_registration.py does it
    through the pages), straight into the database."""
    with app.app_context():
        return models.create_user(email, password, verified=True)


class Browserless:
    """A logged-in API client that sends the CSRF header as the front end does."""

    def __init__(self, client, email):
        self.client = client
        self.email = email
        self.csrf_token = None

    def register(self, password=PASSWORD):
        """A verified account, logged in through the login page."""
        create_verified_user(self.client.application, self.email, password)
        return self.log_in(password)

    def log_in(self, password=PASSWORD):
        page = self.client.get("/login").get_data(as_text=True)
        response = self.client.post(
            "/login",
            data={"email": self.email, "password": password, "csrf_token": csrf_token_from(page)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        self.csrf_token = self.fresh_csrf_token()
        return self

    def fresh_csrf_token(self):
        page = self.client.get("/login").get_data(as_text=True)
        return csrf_token_from(page)

    def request(self, method, url, json=None, headers=None, **kwargs):
        headers = {"X-CSRFToken": self.csrf_token, **(headers or {})}
        return self.client.open(url, method=method, json=json, headers=headers, **kwargs)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, json=None, **kwargs):
        return self.request("POST", url, json=json, **kwargs)

    def put(self, url, json=None, **kwargs):
        return self.request("PUT", url, json=json, **kwargs)

    def patch(self, url, json=None, **kwargs):
        return self.request("PATCH", url, json=json, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)


@pytest.fixture
def alice(app):
    return Browserless(app.test_client(), "alice@example.com").register()


@pytest.fixture
def bob(app):
    return Browserless(app.test_client(), "bob@example.com").register()


def wait_until_uncached(app, digests):
    """Until ``app``'s session cache in this process holds none of ``digests``: a
    write straight to the database reaches it through its change stream (up to
    ~0.3 s later), not at once as the app's own writes do."""
    cache = app.extensions["session_cache"].peek()
    if cache is not None:
        wait_for(lambda: not any(cache.get(d) for d in digests), "the cache forgets")


def wind_back(app, db, field, delta):
    """Make every session's ``field`` look ``delta`` older (and wait for the app's
    session cache to forget what it had, as its change stream makes it do)."""
    sessions = list(db.sessions.find())
    for session in sessions:
        db.sessions.update_one({"_id": session["_id"]}, {"$set": {field: session[field] - delta}})
    wait_until_uncached(app, [session["_id"] for session in sessions])
