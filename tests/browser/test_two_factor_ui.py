"""Two-factor login with an authenticator app in a real browser: set it up from the
QR code's page (the key typed, as a user without a camera would), log out, log in
with the password and a code; then with a recovery code."""

import re
import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from .helpers import log_in

pytestmark = pytest.mark.browser


def test_set_up_an_authenticator_app_then_log_in_with_a_code_or_a_recovery_code(page, email):
    page.goto("/account")
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("img", name="QR code of the key below")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor login").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the codes").click()
    assert codes[0] in Path(download.value.path()).read_text()

    page.get_by_role("link", name=re.compile("back to my account")).click()
    expect(page.locator(".two-factor-status")).to_contain_text("Authenticator app: on")
    page.goto("/")
    page.get_by_role("button", name="Log out").click()
    log_in(page, email)
    expect(page.get_by_role("heading", name="Second step")).to_be_visible()
    page.get_by_label("Code").fill(totp.at(time.time() + totp.interval))  # not the set-up's
    page.get_by_role("button", name="Verify and log in").click()
    expect(page.get_by_role("heading", name="Widgets")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in(page, email)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify and log in").click()
    expect(page.get_by_role("heading", name="Widgets")).to_be_visible()
