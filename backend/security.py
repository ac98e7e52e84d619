"""Security headers on every response.

To relax one for your own needs, edit the policy below (a CDN script, say:
add its origin to ``script-src``), or set the header in the view that needs
something else: a header the response already has is left as it is.

Every response to a logged-in user, page or API, also says ``Cache-Control:
no-store``: what it shows is that user's, and no cache (a shared proxy, the
browser's back button on a shared computer) may keep it.
"""

from flask import request, session
from flask_login import current_user
from pymongo.errors import PyMongoError

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
    if request.endpoint == "static" or "_user_id" not in session:
        return response  # the built files are the same for everyone
    try:
        logged_in = current_user.is_authenticated
    except PyMongoError:  # the database is away: assume the worst
        logged_in = True
    if logged_in:
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
