"""Accounts in a real browser: the header's account link, and a forgotten password."""

import re

import pytest
from playwright.sync_api import expect

from tests.outbox import reset_link

from .helpers import log_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a brand new passphrase"


def test_the_header_links_to_the_account_page(page, email):
    page.get_by_role("link", name="Account").click()

    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()
    expect(page.get_by_text(f"You are logged in as {email}")).to_be_visible()


def test_reset_a_forgotten_password_by_the_emailed_link(page, new_page, email, live_var_dir):
    stranger = new_page()
    stranger.goto("/login")
    stranger.get_by_role("link", name="Forgot your password?").click()
    stranger.get_by_label("Email").fill(email)
    stranger.get_by_role("button", name="Send the link").click()
    expect(stranger.get_by_role("heading", name="Check your email")).to_be_visible()

    stranger.goto(reset_link(live_var_dir, email))
    stranger.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    stranger.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    stranger.get_by_role("button", name="Change password").click()
    expect(stranger.get_by_text("Your password is changed.")).to_be_visible()

    log_in(stranger, email, NEW_PASSWORD)
    expect(stranger.get_by_role("heading", name="Widgets")).to_be_visible()
    # The session from before the reset has ended.
    page.reload()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
