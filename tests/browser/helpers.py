"""What the browser tests do again and again, as a user would."""

PASSWORD = "correct horse battery staple"


def register(page, email, password=PASSWORD):
    page.goto("/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Widgets").wait_for()


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
