"""Browser tests: Debian's Chromium, driven by Playwright, against gunicorn.

The app is served as in production (gunicorn, the minified build in
``public/``) on a database of its own in the session's MongoDB server. One
browser serves the whole session; each test gets fresh contexts and a fresh
user. Set ``CHROMIUM_PATH`` to use another Chromium or Chrome.
"""

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from pymongo import MongoClient

from devtools.embedded_mongo import free_port
from tests.conftest import create_verified_user
from tests.sample_app import create_app
from tests.servers import GUNICORN_CONFIG, wait_until_healthy

from .helpers import VAR_DIRS, log_in

PROJECT_DIR = Path(__file__).resolve().parents[2]
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chromium logs every 4xx/5xx answer as a console error; the API answers
# those on purpose (a 400 for an invalid name, a 409 for a conflict), so
# they are not failures. Script errors and anything else logged are.
EXPECTED_CONSOLE_ERRORS = ("Failed to load resource: the server responded with a status of",)


def find_chromium():
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    return next(filter(None, map(shutil.which, BROWSER_NAMES)), None)


@pytest.fixture(scope="session")
def chromium_path():
    path = find_chromium()
    if path and os.access(path, os.X_OK):
        return path
    message = (
        "No Chromium found for the browser tests: install Debian's `chromium` "
        "package or set CHROMIUM_PATH to a Chromium or Chrome executable."
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def live_var_dir(tmp_path_factory):
    """The live server's VAR_DIR: the emails it sends are in its mail/."""
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def live_database():
    return f"browser_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def live_server(mongo_uri, live_var_dir, live_database):
    """The production build served by gunicorn; yields its base URL."""
    # PUBLIC_DIR, as the app reads it: a build of one's own, safe from `make build`.
    if not (Path(os.environ.get("PUBLIC_DIR", PROJECT_DIR / "public")) / "index.html").exists():
        pytest.fail("The front end is not built: run `make build` first.")
    port = free_port()
    database = live_database
    env = {
        **os.environ,
        "APP_ENV": "test",
        "MONGO_URI": mongo_uri,
        "MONGO_DATABASE": database,
        "SECRET_KEY": "browser-test-secret-key",
        "BCRYPT_ROUNDS": "4",
        "VAR_DIR": str(live_var_dir),
        "SMTP_HOST": "",
        "MAIL_WORKER": "thread",  # as in production: mail leaves the request at once
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        # Every registered resource, and the tests' own (tests/sample_app.py).
        [
            gunicorn,
            "tests.sample_app:create_app()",
            "--bind",
            f"127.0.0.1:{port}",
            # As the image runs it (Dockerfile): every open page holds an
            # /api/events stream, which holds a thread until its next
            # keep-alive finds the page gone; and the streams end at once
            # when the server is told to stop.
            "--config",
            GUNICORN_CONFIG,
            "--threads",
            "64",
        ],
        cwd=PROJECT_DIR,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    VAR_DIRS[url] = live_var_dir
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        with MongoClient(mongo_uri) as client:
            client.drop_database(database)


@pytest.fixture(scope="session")
def browser(chromium_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Opens pages, each in a context of its own; fails the test on console errors."""
    contexts, errors = [], []

    def open_page():
        context = browser.new_context(base_url=live_server)
        context.set_default_timeout(5000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("console", lambda message: record_console_error(page, message, errors))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


def record_console_error(page, message, errors):
    if message.type == "error" and not message.text.startswith(EXPECTED_CONSOLE_ERRORS):
        errors.append(f"{page.url}: {message.text}")


@pytest.fixture
def email():
    return f"user-{uuid.uuid4().hex[:8]}@example.com"


@pytest.fixture(scope="session")
def accounts(mongo_uri, live_database, live_var_dir):
    """Makes verified accounts in the live server's database, as `flask create-user` does:
    registering each test's user through the form would soon meet the throttle of
    registrations from one address (tests/browser/test_accounts_ui.py registers)."""
    app = create_app(
        {
            "APP_ENV": "test",
            "MONGO_URI": mongo_uri,
            "MONGO_DATABASE": live_database,
            "SECRET_KEY": "browser-test-secret-key",
            "BCRYPT_ROUNDS": "4",
            "VAR_DIR": str(live_var_dir),
        }
    )
    yield lambda email: create_verified_user(app, email)
    app.extensions["mongo"].close()


@pytest.fixture
def page(new_page, email, accounts):
    """A page where a fresh user is logged in, at the first resource's list."""
    accounts(email)
    page = new_page()
    page.goto("/login")
    log_in(page, email)
    page.locator("main h1").wait_for()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page
