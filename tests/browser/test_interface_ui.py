"""The interface around every resource's pages, in a real browser: feedback,
failures, error pages, dark mode, contrast, accessibility (axe-core), the
small things. The widgets stand for every resource: all of this lives in the
generic layer and the frame around it."""

import re
import time

import pytest
from playwright.sync_api import expect

from backend.settings import APP_NAME

from .helpers import axe_violations, create_widgets, log_in, register, settled, toast

pytestmark = pytest.mark.browser


def focus_in_toast(page):
    return page.evaluate("() => Boolean(document.activeElement.closest('.toast-region'))")


def test_create_and_save_are_confirmed_by_a_toast_that_leaves_the_focus(page):
    page.goto("/widgets/new")
    page.get_by_label("Name").fill("Gear")
    page.get_by_role("button", name="Create widget").click()
    expect(toast(page)).to_have_text(re.compile("Widget created."))
    expect(page.get_by_role("heading", name="Gear")).to_be_focused()
    assert not focus_in_toast(page)

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Name").fill("Big gear")
    page.get_by_role("button", name="Save changes").click()
    expect(toast(page)).to_have_text(re.compile("Changes saved."))
    expect(page.get_by_role("heading", name="Big gear")).to_be_focused()
    # Dismissed by its button, or after a few seconds.
    toast(page).get_by_role("button", name="Dismiss").click()
    expect(page.locator(".toast")).to_be_hidden()


def test_escape_cancels_an_edit(page):
    (gear,) = create_widgets(page, "Gear")
    page.goto(f"/widgets/{gear['_id']}/edit")
    name = page.get_by_label("Name")
    name.fill("Not saved")
    name.press("Escape")
    expect(page).to_have_url(re.compile(rf"/widgets/{gear['_id']}$"))
    expect(page.get_by_role("heading", name="Gear")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_be_focused()


def test_tab_titles_name_the_item(page):
    (gear,) = create_widgets(page, "Gear")
    page.goto(f"/widgets/{gear['_id']}")
    expect(page).to_have_title(re.compile(rf"^Gear \W {re.escape(APP_NAME)}$"))
    page.goto(f"/widgets/{gear['_id']}/edit")
    expect(page).to_have_title(re.compile(rf"^Edit “Gear” \W {re.escape(APP_NAME)}$"))
    page.goto("/widgets")
    expect(page).to_have_title(re.compile(rf"^Widgets \W {re.escape(APP_NAME)}$"))
    assert page.locator('meta[name="description"]').get_attribute("content")


def test_an_empty_list_has_no_search_or_sort_and_one_page_no_pager(page):
    page.goto("/widgets")
    expect(page.get_by_text("You have no widgets yet.")).to_be_visible()
    expect(page.get_by_role("search")).to_be_hidden()
    create_widgets(page, "Gear")
    page.reload()
    expect(page.get_by_role("search")).to_be_visible()
    expect(page.get_by_text("1\N{EN DASH}1 of 1")).to_be_visible()
    expect(page.get_by_text("Page 1 of 1")).to_have_count(0)


def test_the_sort_menu_applies_a_choice_made_with_the_keys_on_enter_only(page):
    create_widgets(page, "Gear", "Axle")
    page.goto("/widgets")
    expect(page.locator(".resource-item")).to_have_count(2)
    sort = page.get_by_label("Sort")
    sort.focus()
    sort.press("ArrowDown")
    sort.press("ArrowDown")
    time.sleep(0.3)
    expect(page).to_have_url(re.compile(r"/widgets$"))
    sort.press("Enter")
    expect(page).to_have_url(re.compile(r"sort="))
    expect(page.get_by_label("Sort")).to_be_focused()


def test_a_server_that_does_not_answer_is_reported_within_3_seconds_with_retry(page):
    create_widgets(page, "Gear")
    held = []
    page.route(re.compile(r"/api/widgets\?"), lambda route: held.append(route))  # never answered
    page.goto("/widgets")
    skeleton = page.locator(".list-loading .skeleton").first
    expect(skeleton).to_be_visible()
    started = time.monotonic()
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("The server is not answering.", timeout=3500)
    assert time.monotonic() - started < 3.5
    expect(page.get_by_text("Could not load widgets.")).to_be_visible()

    page.unroute(re.compile(r"/api/widgets\?"))
    banner.get_by_role("button", name="Retry").click()
    expect(page.locator(".resource-item")).to_have_text([re.compile("Gear")])
    expect(banner).to_be_hidden()
    expect(page.get_by_text("Could not load widgets.")).to_be_hidden()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_banner_lines_up_with_the_content(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.route(re.compile(r"/api/widgets\?"), lambda route: route.fulfill(status=500))
    page.goto("/widgets")
    banner = page.get_by_role("alert")
    expect(banner).to_be_visible()
    heading = page.get_by_role("heading", name="Widgets").bounding_box()
    box = banner.bounding_box()
    assert abs(box["x"] - heading["x"]) < 1
    assert box["x"] + box["width"] <= width - 15


def test_error_pages_keep_the_header(page, new_page, email):
    for path, status, heading in [("/nothing-here", 404, "Page not found")]:
        response = page.goto(path)
        assert response.status == status
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_role("navigation", name="Sections")).to_contain_text("Widgets")
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        expect(page).to_have_title(f"{heading} · {APP_NAME}")
    # /logout answers POST only: a page of its own, with the header too.
    response = page.goto("/logout")
    assert response.status == 405
    expect(page.get_by_role("heading", level=1)).to_have_text("Not possible at this address")
    expect(page.get_by_role("link", name="Account")).to_be_visible()

    logged_out = new_page()
    response = logged_out.goto("/nothing-here")
    assert response.status == 404
    expect(logged_out.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(logged_out.get_by_role("button", name="Log out")).to_have_count(0)


def background(page):
    return page.evaluate("() => getComputedStyle(document.body).backgroundColor")


def test_dark_mode_follows_the_system_and_the_toggle_is_remembered(browser, live_server, email):
    context = browser.new_context(base_url=live_server, color_scheme="dark")
    try:
        page = context.new_page()
        register(page, email)
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        assert background(page) == "rgb(13, 17, 23)"
        toggle = page.get_by_role("button", name="Dark mode")
        expect(toggle).to_have_attribute("aria-pressed", "true")
        toggle.click()
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        expect(toggle).to_have_attribute("aria-pressed", "false")
        assert background(page) == "rgb(246, 248, 250)"
        # Remembered: on the next page load, and on the server's pages.
        page.reload()
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        page.goto("/account")
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        page.get_by_role("button", name="Dark mode").click()
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        page.goto("/widgets")
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    finally:
        context.close()


def luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb(css):
    return tuple(int(n) for n in re.findall(r"\d+", css)[:3])


CONTROL_COLOURS = """() => {
  const style = selector => getComputedStyle(document.querySelector(selector));
  const input = document.querySelector('input[name="q"]');
  input.focus({focusVisible: true});
  return {
    page: style('body').backgroundColor,
    surface: style('.resource-list').backgroundColor,
    input: style('input[name="q"]').borderTopColor,
    select: style('select[name="sort"]').borderTopColor,
    button: style('.list-controls .button').borderTopColor,
    focus: getComputedStyle(input).outlineColor,
    focusWidth: getComputedStyle(input).outlineWidth,
  };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_and_control_borders_contrast_at_least_3_to_1(
    browser, live_server, email, scheme
):
    context = browser.new_context(base_url=live_server, color_scheme=scheme)
    try:
        page = context.new_page()
        register(page, email)
        create_widgets(page, "Gear")
        page.goto("/widgets")
        page.locator(".resource-item").wait_for()
        page.keyboard.press("Tab")  # the keyboard in use: :focus-visible applies
        colours = page.evaluate(CONTROL_COLOURS)
        assert colours["focusWidth"] == "2px"
        for part in ("input", "select", "button", "focus"):
            for ground in ("page", "surface"):
                ratio = contrast(rgb(colours[part]), rgb(colours[ground]))
                assert ratio >= 3, f"{scheme}: {part} on {ground} is {ratio:.2f}:1"
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_page(browser, live_server, email, scheme):
    # The tests inject axe-core, an inline script the page's CSP would refuse.
    context = browser.new_context(base_url=live_server, color_scheme=scheme, bypass_csp=True)
    try:
        page = context.new_page()
        found = {}
        for path in ("/login", "/register", "/forgot-password", "/nothing-here"):
            page.goto(path)
            found[f"{path} (logged out)"] = axe_violations(page)
        register(page, email)
        page.get_by_text("You have no widgets yet.").wait_for()
        found["/widgets (empty)"] = axe_violations(page)
        (gear,) = create_widgets(page, "Gear")
        create_widgets(page, *(f"Part {n}" for n in range(25)))
        pages = {
            "/widgets": ".resource-item",
            "/widgets/new": "form",
            f"/widgets/{gear['_id']}": ".resource-fields, .resource-facts",
            f"/widgets/{gear['_id']}/edit": "form [name=name]",
            "/sample_tasks": "h1",
            "/account": "h2",
            "/nothing-here": "h1",
        }
        for path, ready in pages.items():
            page.goto(path)
            page.locator(ready).first.wait_for()
            found[path] = axe_violations(page)
        page.goto(f"/widgets/{gear['_id']}")
        page.get_by_role("button", name="Delete", exact=True).click()
        page.get_by_role("dialog").wait_for()
        found["the delete dialog"] = axe_violations(page)
        page.keyboard.press("Escape")
        page.goto("/widgets/new")
        page.get_by_role("button", name="Create widget").click()
        page.locator(".field-invalid").wait_for()
        found["a form with an error"] = axe_violations(page)
        assert {path: v for path, v in found.items() if v} == {}
    finally:
        context.close()


def test_server_forms_focus_the_first_field_then_the_first_invalid_one(new_page, email):
    page = new_page()
    page.goto("/login")
    expect(page.get_by_label("Email")).to_be_focused()
    page.goto("/register")
    expect(page.get_by_label("Email")).to_be_focused()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    page.get_by_label("Confirm").fill("something else entirely")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_label("Confirm")).to_be_focused()


def test_a_draft_is_kept_through_logging_in_again(page, email):
    (gear,) = create_widgets(page, "Gear")
    edit = f"/widgets/{gear['_id']}/edit"
    page.goto(edit)
    page.get_by_label("Name").fill("Typed before the session expired")
    page.get_by_label("Description (optional)").fill("Not lost")
    settled(page).context.clear_cookies()  # the session expires
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(re.compile(r"/login\?next=%2Fwidgets%2F[0-9a-f]{24}%2Fedit$"))
    log_in(page, email)
    expect(page).to_have_url(re.compile(rf"{edit}$"))
    expect(page.get_by_label("Name")).to_have_value("Typed before the session expired")
    expect(page.get_by_label("Description (optional)")).to_have_value("Not lost")
    expect(toast(page)).to_contain_text("Your unsaved changes are back")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Typed before the session expired")).to_be_visible()
    # Taken once: the next visit to the form shows what is stored.
    page.goto(edit)
    expect(page.get_by_label("Name")).to_have_value("Typed before the session expired")
