"""Passkeys in a real browser: Chromium's virtual authenticator (the DevTools
protocol's WebAuthn domain, through Playwright's CDP session) plays the
fingerprint reader. The site is opened as http://localhost: browsers refuse an
IP address as a relying party's id."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import record_console_error
from .helpers import PASSWORD, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def localhost_page(browser, live_server, email, accounts):
    """A page at http://localhost:<port>, with a virtual authenticator, where a fresh
    user is logged in (with the password)."""
    accounts(email)
    context = browser.new_context(base_url=live_server.replace("127.0.0.1", "localhost"))
    context.set_default_timeout(10000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("console", lambda message: record_console_error(page, message, errors))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    page.goto("/login")
    log_in(page, email)
    page.locator("main h1").wait_for()
    expect(page).not_to_have_url(re.compile(r"/login"))
    yield page
    context.close()
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


def add_passkey(page, name="Test laptop"):
    page.goto("/account")
    page.get_by_label("Name of the passkey").fill(name)
    page.locator("#passkey-password").fill(PASSWORD)
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("status")).to_contain_text(f"The passkey “{name}” is added.")
    expect(page.locator(".passkeys")).to_contain_text(name)
    expect(page.locator(".two-factor-status")).to_contain_text("Passkeys: 1")


def log_out(page):
    page.goto("/")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_add_a_passkey_log_out_and_log_in_with_the_passkey_alone(localhost_page):
    page = localhost_page
    add_passkey(page)
    log_out(page)

    page.get_by_role("button", name="Sign in with a passkey").click()

    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_role("heading", name="Widgets")).to_be_visible()  # logged in
    page.goto("/account")
    expect(page.locator(".passkeys")).to_contain_text("last used")


def test_log_in_with_the_password_then_the_passkey_as_the_second_step(localhost_page, email):
    page = localhost_page
    add_passkey(page)
    log_out(page)

    log_in(page, email)
    expect(page.get_by_role("heading", name="Second step")).to_be_visible()
    page.get_by_role("button", name="Use a passkey").click()

    page.wait_for_url(lambda url: "/login" not in url)
    expect(page.get_by_role("heading", name="Widgets")).to_be_visible()  # logged in


def test_at_an_ip_address_the_login_page_says_to_open_localhost(new_page):
    page = new_page()  # http://127.0.0.1:<port>
    page.goto("/login")

    page.get_by_role("button", name="Sign in with a passkey").click()

    expect(page.get_by_role("alert")).to_contain_text("open http://localhost:")
