"""The widgets app in a real browser: what a user does, end to end."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .helpers import create_widgets, log_in, register

pytestmark = pytest.mark.browser

XSS_NAME = "<img src=x onerror=alert(1)>"


def expect_login_page_for(page, path):
    """The login page, which goes back to ``path`` after logging in."""
    expect(page).to_have_url(re.compile(r"/login\?"))
    assert parse_qs(urlsplit(page.url).query)["next"] == [path]


def counts(first, last, total):
    """The pager's summary, "1 to 20 of 25" with an en dash."""
    return f"{first}\N{EN DASH}{last} of {total}"


def items(page):
    return page.locator(".widget-item .widget-name")


def test_register_log_out_and_log_in_again(new_page, email):
    page = new_page()
    register(page, email)
    expect(page.get_by_text("You have no widgets yet.")).to_be_visible()
    expect(page.get_by_text(email)).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    page.goto("/widgets")
    expect_login_page_for(page, "/widgets")
    log_in(page, email)
    expect(page).to_have_url(re.compile(r"/widgets$"))
    expect(page.get_by_role("heading", name="Widgets")).to_be_visible()


def test_create_shows_the_field_error_until_the_name_is_valid(page):
    page.get_by_role("link", name="Create your first widget").click()
    name = page.get_by_label("Name")
    expect(name).to_be_focused()

    page.get_by_role("button", name="Create widget").click()
    error = page.locator("#widget-name-error")
    expect(error).to_have_text(re.compile(r"\S"))
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()

    name.fill("Sprocket")
    page.get_by_label("Description").fill("Twelve teeth.")
    page.get_by_role("button", name="Create widget").click()
    expect(page.get_by_role("heading", name="Sprocket")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/widgets/[0-9a-f]{24}$"))
    expect(page.get_by_text("Twelve teeth.")).to_be_visible()

    page.get_by_role("link", name="All widgets").click()
    expect(items(page)).to_have_text(["Sprocket"])


def test_page_search_and_sort_are_kept_in_the_url(page):
    create_widgets(page, *(f"Widget {number:02}" for number in range(1, 26)))
    page.reload()
    expect(page.get_by_text(counts(1, 20, 25))).to_be_visible()
    expect(items(page).first).to_have_text("Widget 25")

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"/widgets\?page=2$"))
    expect(page.get_by_text(counts(21, 25, 25))).to_be_visible()
    expect(items(page)).to_have_count(5)
    page.go_back()
    expect(page.get_by_text(counts(1, 20, 25))).to_be_visible()

    page.get_by_label("Search by name").fill("widget 1")
    page.get_by_label("Search by name").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=widget(\+|%20)1$"))
    expect(items(page)).to_have_count(10)

    page.get_by_label("Sort").select_option(label="Name, A to Z")
    expect(page).to_have_url(re.compile(r"sort=name"))
    expect(items(page).first).to_have_text("Widget 10")
    expect(page.get_by_label("Sort")).to_be_focused()

    page.reload()
    expect(page.get_by_label("Search by name")).to_have_value("widget 1")
    expect(page.get_by_label("Sort")).to_have_value("name")
    expect(items(page).first).to_have_text("Widget 10")

    page.get_by_label("Search by name").fill("nothing like it")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No widgets match “nothing like it”.")).to_be_visible()


def test_edit_then_a_conflicting_save_offers_the_current_version(page, new_page, email):
    (widget,) = create_widgets(page, "Gear")
    path = f"/widgets/{widget['_id']}"
    page.goto(path)
    page.reload()  # a deep link survives a reload
    expect(page.get_by_role("heading", name="Gear")).to_be_visible()

    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Name").fill("Gear, large")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Gear, large")).to_be_visible()
    page.get_by_role("button", name="Edit").click()

    other = new_page()
    other.goto(path)
    log_in(other, email)
    other.get_by_role("button", name="Edit").click()
    other.get_by_label("Name").fill("Gear, small")
    other.get_by_role("button", name="Save changes").click()
    expect(other.get_by_role("heading", name="Gear, small")).to_be_visible()

    page.get_by_label("Name").fill("Gear, medium")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Someone else changed this widget")).to_be_visible()
    page.get_by_role("button", name="Load the current version").click()
    expect(page.get_by_label("Name")).to_have_value("Gear, small")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Gear, small")).to_be_visible()


def test_delete_asks_first(page):
    (widget,) = create_widgets(page, "Flange")
    page.goto(f"/widgets/{widget['_id']}")

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Flange")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("You have no widgets yet.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/widgets$"))


def test_an_expired_session_goes_to_login_and_back(page, email):
    create_widgets(page, *(f"Bolt {number}" for number in range(21)))
    page.reload()
    next_page = page.get_by_role("link", name="Next")
    next_page.wait_for()
    page.context.clear_cookies()
    next_page.click()
    expect_login_page_for(page, "/widgets?page=2")
    log_in(page, email)
    expect(page.get_by_text(counts(21, 21, 21))).to_be_visible()


def test_user_content_is_shown_as_text(page):
    (widget,) = create_widgets(page, XSS_NAME)
    alerts = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.reload()
    expect(items(page)).to_have_text([XSS_NAME])
    page.goto(f"/widgets/{widget['_id']}")
    expect(page.get_by_role("heading", name=XSS_NAME)).to_be_visible()
    expect(page.locator("img")).to_have_count(0)
    assert alerts == []
