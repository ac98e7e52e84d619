"""What the browser tests do again and again, as a user would."""

import re

PASSWORD = "correct horse battery staple"


def register(page, email, password=PASSWORD):
    """Registers ``email`` and waits for the app's first page."""
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.locator("main h1").wait_for()


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
