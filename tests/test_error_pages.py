"""The pages of errors: designed, with the app's header for a logged-in user."""

import pytest
from pymongo.errors import ServerSelectionTimeoutError


@pytest.fixture
def app(app):
    def fail():
        raise RuntimeError("a bug")

    def database_down():
        raise ServerSelectionTimeoutError("no server")

    app.add_url_rule("/test/bug", "test_bug", fail)
    app.add_url_rule("/test/database-down", "test_database_down", database_down)
    return app


def page_of(response):
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "method", "status", "heading"),
    [
        ("/no-such-page", "GET", 404, "Page not found"),
        ("/logout", "GET", 405, "Not possible at this address"),
        ("/test/bug", "GET", 500, "Something went wrong"),
    ],
)
def test_error_pages_say_what_happened_under_the_apps_header(alice, path, method, status, heading):
    response = alice.client.open(path, method=method)

    assert response.status_code == status
    page = page_of(response)
    assert f"<h1>{heading}</h1>" in page
    assert f"<title>{heading} · " in page
    assert '<nav class="site-sections" aria-label="Sections">' in page
    assert '<a href="/widgets">Widgets</a>' in page
    assert 'action="/logout"' in page
    assert "alice@example.com" in page


def test_a_visitor_who_is_not_logged_in_gets_the_page_without_the_header(client):
    page = page_of(client.get("/no-such-page"))

    assert "<h1>Page not found</h1>" in page
    assert "There is nothing at this address." in page  # not Werkzeug's stock text
    assert "site-header" not in page


def test_the_database_down_page_needs_no_database(alice):
    # Rendered without the user (looking them up would need the database).
    response = alice.client.get("/test/database-down")

    assert response.status_code == 503
    assert response.headers["Retry-After"]
    page = page_of(response)
    assert "<h1>Temporarily unavailable</h1>" in page
    assert "site-header" not in page
