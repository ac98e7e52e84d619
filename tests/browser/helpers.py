"""What the browser tests do again and again, as a user would."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.outbox import verify_link

PASSWORD = "correct horse battery staple"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Each live server's VAR_DIR, by its base URL: its emails are in VAR_DIR/mail/.
VAR_DIRS = {}


def register(page, email, password=PASSWORD):
    """Register, follow the emailed link, verify: logged in, at the app's first page."""
    fill_registration(page, email, password)
    page.get_by_role("heading", name="Check your email").wait_for()
    verify(page, email)
    page.locator("main h1").wait_for()


def fill_registration(page, email, password=PASSWORD, confirm=None):
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm").fill(confirm or password)
    page.get_by_role("button", name="Create account").click()


def verify(page, email):
    """Open the verification link emailed to ``email`` and press its button."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    page.goto(verify_link(VAR_DIRS[origin], email))
    page.get_by_role("button", name="Verify and log in").click()
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/verify"))


def log_in(page, email, password=PASSWORD):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def csrf_token(page):
    return page.locator('meta[name="csrf-token"]').get_attribute("content")


def api(page, method, url, data=None):
    """A request to the JSON API as the logged-in user of ``page``; its JSON answer."""
    response = page.request.fetch(
        url, method=method, data=data, headers={"X-CSRFToken": csrf_token(page)}
    )
    assert response.ok, f"{method} {url}: {response.status} {response.text()}"
    return response.json() if response.status != 204 else None


def create_items(page, resource, *values):
    """Creates items of ``resource`` (a description) through the API."""
    return [api(page, "POST", resource["url"], data) for data in values]


def field_control(page, resource, field):
    """A field's control, found by its label as a user would (optional ones say so)."""
    label = re.escape(field["label"])
    control = page.get_by_label(re.compile(rf"^{label}( \(optional\))?$"))
    return control.and_(page.locator(f'[name="{field["name"]}"]'))


def fill_form(page, resource, values):
    for field in resource["fields"]:
        if field["name"] not in values:
            continue
        control = field_control(page, resource, field)
        value = values[field["name"]]
        if field["widget"] == "checkbox":
            control.set_checked(value)
        else:
            control.fill(str(value))


def create_widgets(page, *names):
    """Creates widgets with these names through the API."""
    return [api(page, "POST", "/api/widgets", {"name": name}) for name in names]


def following(page):
    """Waits until ``page`` follows the event stream (or its tab's leader does)."""
    expect(page.locator(".live-status")).to_have_attribute("data-state", "live")
    return page


def settled(page):
    """Waits until ``page`` has done what loading it starts: its stream is open and
    the fetch that the opening asks for (a list's reload) is answered.

    A test that ends the session must wait for this first: the stream or that
    fetch, sent without a session, would send the page to the login by itself.
    """
    expect(following(page).locator("[aria-busy=true]")).to_have_count(0)
    return page


def toast(page):
    """The app's toast region (frontend/app/templates/site.hbs)."""
    return page.get_by_role("status").and_(page.locator(".toast-region"))


def axe_violations(page):
    """axe-core's WCAG A/AA findings on the page; its context must bypass the CSP,
    which refuses the injected script."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes']][:3]})"
        for v in result["violations"]
    ]
