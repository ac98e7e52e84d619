"""Security headers on every kind of response, and the session cookie's flags."""

import pytest

PAGES = ["/login", "/api/widgets", "/api/openapi.json", "/healthz", "/no-such-page", "/api/nope"]


def directives(response):
    policy = response.headers["Content-Security-Policy"]
    return dict(d.strip().split(" ", 1) for d in policy.split(";"))


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_headers(client, path):
    response = client.get(path)
    csp = directives(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["form-action"] == "'self'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # test is not production


def test_errors_and_database_faults_carry_them_too(alice):
    assert "Content-Security-Policy" in alice.post("/api/widgets", data="x").headers
    assert "X-Frame-Options" in alice.delete("/api/widgets").headers  # 405


def test_development_lets_brunch_reload_the_page(make_app):
    client = make_app({"APP_ENV": "development"}).test_client()
    connect = directives(client.get("/login"))["connect-src"].split()
    assert connect == ["'self'", "ws://127.0.0.1:9485", "ws://localhost:9485"]


def test_production_adds_hsts_and_secure_cookies(make_app):
    app = make_app({"APP_ENV": "production"})
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert directives(response)["connect-src"] == "'self'"
    assert "Secure" in app.test_client().get("/register").headers["Set-Cookie"]


def test_the_session_cookie_is_httponly_and_samesite(client):
    page = client.get("/register")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP outside production
