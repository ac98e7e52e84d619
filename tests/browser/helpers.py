"""What the browser tests do again and again, as a user would."""

from urllib.parse import urlsplit

from tests.outbox import verify_link

PASSWORD = "correct horse battery staple"
# Each live server's VAR_DIR, by its base URL: its emails are in VAR_DIR/mail/.
VAR_DIRS = {}


def register(page, email, password=PASSWORD):
    """Register, follow the emailed link, verify: logged in, at the widget list."""
    fill_registration(page, email, password)
    page.get_by_role("heading", name="Check your email").wait_for()
    verify(page, email)
    page.get_by_role("heading", name="Widgets").wait_for()


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


def log_in(page, email, password=PASSWORD):
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def create_widgets(page, *names):
    """Create widgets through the API, as the logged-in user of ``page``."""
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    widgets = []
    for name in names:
        response = page.request.post(
            "/api/widgets", data={"name": name}, headers={"X-CSRFToken": token}
        )
        assert response.status == 201, response.text()
        widgets.append(response.json())
    return widgets
