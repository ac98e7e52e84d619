"""Security headers on every response.

To relax one for your own needs, edit the policy below (a CDN script, say:
add its origin to ``script-src``), or set the header in the view that needs
something else: a header the response already has is left as it is.

Every response to a logged-in user, page or API, also says ``Cache-Control:
no-store``: what it shows is that user's, and no cache (a shared proxy, the
browser's back button on a shared computer) may keep it.
"""

from flask import request, session

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    # The bootstrap <script type="application/json"> is data, which CSP does
    # not block, so no script needs 'unsafe-inline'.
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Brunch's auto-reload plugin (make dev) talks to its own websocket server.
DEVELOPMENT_CONNECT_SRC = "ws://127.0.0.1:9485 ws://localhost:9485"
HSTS = "max-age=31536000"


def init_security(app):
    headers = security_headers(app.config["APP_ENV"])

    def add_security_headers(response):
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    app.after_request(add_security_headers)
    app.after_request(no_store_when_logged_in)


def no_store_when_logged_in(response):
    """A request that carries a login (whether or not its view looked the user up)
    gets ``no-store``: decided from the cookie alone, with no database query,
    so an answer while the database is away costs no second wait."""
    if request.endpoint != "static" and "_user_id" in session:
        response.headers["Cache-Control"] = "no-store"
    return response


def security_headers(app_env):
    policy = dict(CONTENT_SECURITY_POLICY)
    if app_env == "development":
        policy["connect-src"] += f" {DEVELOPMENT_CONNECT_SRC}"
    headers = {
        "Content-Security-Policy": "; ".join(f"{k} {v}" for k, v in policy.items()),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if app_env == "production":
        # Browsers honour it over HTTPS only; production is meant to run behind TLS.
        headers["Strict-Transport-Security"] = HSTS
    return headers
