"""The account page in a real browser: the sessions list and ending one session,
the message that ends logout and registration, the focus after an error in one of
the page's several forms, and axe-core over it in light and dark."""

import re

import pytest
from playwright.sync_api import expect

from .helpers import axe_violations, log_in, register, toast

pytestmark = pytest.mark.browser


def sessions(page):
    return page.locator(".sessions li")


def log_in_from_the_start(page, email):
    """Log in from the login page, then wait for the app's first page."""
    page.goto("/login")
    log_in(page, email)
    page.locator("main h1").wait_for()
    return page


def test_a_user_sees_both_sessions_and_ends_the_other_one(page, new_page, email):
    other = log_in_from_the_start(new_page(), email)
    page.goto("/account")

    expect(sessions(page)).to_have_count(2)
    this_one = sessions(page).filter(has_text="This browser")
    expect(this_one).to_have_count(1)
    expect(this_one).to_contain_text(
        re.compile(r"Chrome on Linux\s*This browser\s*last used \S+ \S+ UTC, from 127\.0\.0\.1")
    )
    expect(this_one.get_by_role("button")).to_have_count(0)  # the header's Log out is for it

    sessions(page).filter(has_not_text="This browser").get_by_role(
        "button", name="End session"
    ).click()

    expect(page.get_by_role("status").filter(has_text="Session ended.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(sessions(page)).to_have_count(1)
    expect(page.get_by_text("Where you are logged in: only here.")).to_be_visible()
    # The other browser's next request finds its session gone.
    other.reload()
    expect(other).to_have_url(re.compile(r"/login\?next="))
    page.reload()
    expect(page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()


def test_logout_and_registration_end_with_a_message(new_page, email):
    page = new_page()
    register(page, email)  # the emailed link logs the new user in
    expect(toast(page)).to_contain_text("Your email address is verified. Welcome!")

    page.get_by_role("button", name="Log out").click()

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    logged_out = page.get_by_role("status").filter(has_text="You are logged out.")
    expect(logged_out).to_be_visible()
    page.reload()  # said once
    expect(logged_out).to_have_count(0)


def test_after_an_error_in_the_second_form_the_focus_is_on_its_first_invalid_field(page):
    page.goto("/account")
    expect(page.get_by_label("New email")).to_be_focused()  # the first form's first field
    form = page.locator("form", has=page.get_by_role("button", name="Change password"))
    form.get_by_label("Current password").fill("correct horse battery staple")
    form.get_by_label("New password", exact=True).fill("a brand new passphrase")
    form.get_by_label("Confirm new password").fill("another passphrase entirely")

    form.get_by_role("button", name="Change password").click()

    confirm = page.get_by_label("Confirm new password")
    expect(confirm).to_be_focused()
    expect(confirm).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_the_account_page(browser, live_server, accounts, email, scheme):
    accounts(email)
    # The tests inject axe-core, an inline script the page's CSP would refuse.
    contexts = [
        browser.new_context(base_url=live_server, color_scheme=scheme, bypass_csp=True)
        for _ in range(2)
    ]
    try:
        page, other = (context.new_page() for context in contexts)
        for each in (other, page):
            log_in_from_the_start(each, email)
        found = {}
        page.goto("/account")
        expect(sessions(page)).to_have_count(2)
        found["/account, two sessions"] = axe_violations(page)
        page.get_by_role("button", name="Change email").click()
        page.locator(".field-invalid").first.wait_for()
        found["/account, a form with an error"] = axe_violations(page)
        assert {name: v for name, v in found.items() if v} == {}
    finally:
        for context in contexts:
            context.close()
