"""Accounts in a real browser: register, verify by the emailed link, log in; and the
password strength feedback beside the field."""

import re

import pytest
from playwright.sync_api import expect

from tests.outbox import verify_link

from .helpers import PASSWORD, VAR_DIRS, fill_registration, log_in, verify

pytestmark = pytest.mark.browser


def test_register_then_verify_by_the_emailed_link_then_log_in(new_page, email):
    page = new_page()
    fill_registration(page, email)

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(email)
    page.goto("/login")
    log_in(page, email)
    expect(page.get_by_role("alert")).to_contain_text("Verify your email address first")

    verify(page, email)
    expect(page.get_by_role("heading", name="Widgets")).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/verify"))

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(page, email)
    expect(page.get_by_role("heading", name="Widgets")).to_be_visible()


def test_the_verification_link_s_token_leaves_the_address_bar(new_page, email):
    page = new_page()
    fill_registration(page, email)
    origin = re.match(r"https?://[^/]+", page.url).group(0)
    page.goto(verify_link(VAR_DIRS[origin], email))

    expect(page).to_have_url(re.compile(r"/verify$"))
    expect(page.get_by_text(f"Verify {email} and log in?")).to_be_visible()


def test_a_weak_password_gets_zxcvbn_s_feedback_beside_the_field(new_page, email):
    page = new_page()
    fill_registration(page, email, "password1234")

    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    help_text = page.locator("#password-help")
    expect(help_text).to_contain_text("This password is too easy to guess.")
    expect(help_text).to_contain_text("This is a very common password.")
    expect(password).to_have_accessible_description(re.compile("too easy to guess"))

    fill_registration(page, email, email)  # the email itself
    expect(page.locator("#password-help")).to_contain_text("too easy to guess")

    fill_registration(page, email, PASSWORD)
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()


def test_the_strength_feedback_appears_as_the_password_is_typed(new_page, email):
    page = new_page()
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    password = page.get_by_label("Password", exact=True)

    password.press_sequentially("password1234")

    verdict = page.locator("#password-help .field-strength")
    expect(verdict).to_contain_text("This is a very common password.")
    expect(password).to_have_accessible_description(re.compile("very common password"))

    password.fill(PASSWORD)
    expect(verdict).to_have_text("Strong enough.")
