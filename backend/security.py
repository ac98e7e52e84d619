"""Security headers on every response.

To relax one for your own needs, edit the policy below (a CDN script, say:
add its origin to ``script-src``), or set the header in the view that needs
something else: a header the response already has is left as it is.

Every response to a logged-in user, page or API, also says ``Cache-Control:
no-store``: what it shows is that user's, and no cache (a shared proxy, the
browser's back button on a shared computer) may keep it.

And :func:`protect_api`, the API's CSRF check: Flask-WTF's, with less work
for a token it has already accepted.
"""

import hmac

from flask import current_app, g, request, session
from flask_wtf.csrf import same_origin

from backend.extensions import csrf

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
    # Made once: (lowercased name, name, value) for each header.
    headers = [
        (name.lower(), name, value)
        for name, value in security_headers(app.config["APP_ENV"]).items()
    ]

    def add_security_headers(response):
        # One pass over what the response has, rather than a lookup per header
        # (a header missing from werkzeug's Headers costs an exception).
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend((name, value) for key, name, value in headers if key not in present)
        no_store_when_logged_in(response)
        return response

    app.after_request(add_security_headers)


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


# (signed token, SECRET_KEY) -> the session's raw token it was accepted for.
_ACCEPTED_TOKENS = {}
MAX_ACCEPTED_TOKENS = 4096


def protect_api():
    """Refuse (``CSRFError``, 400) an unsafe API request without the session's CSRF token.

    The front end sends the same signed token (``X-CSRFToken``) on every
    change, and Flask-WTF checks its signature every time, after parsing the
    body as a form to look for it there first. Once Flask-WTF has accepted a
    token for a session, the same token from the same session is accepted
    here without either: compared with the session's own token (what
    Flask-WTF's check comes down to), and over HTTPS the Referer still has to
    be this host (its strict mode). Anything else (no token, a new or wrong
    one, a time limit set, a bad Referer) goes to ``csrf.protect()`` itself,
    which decides and words the refusal.
    """
    config = current_app.config
    field = config["WTF_CSRF_FIELD_NAME"]
    token = next(filter(None, map(request.headers.get, config["WTF_CSRF_HEADERS"])), None)
    key = (token, current_app.secret_key)
    expected = session.get(field)
    accepted = _ACCEPTED_TOKENS.get(key)
    if (
        accepted
        and expected
        and config["WTF_CSRF_TIME_LIMIT"] is None
        and hmac.compare_digest(accepted, expected)
        and _referrer_allowed(config)
    ):
        g.csrf_valid = True
        return
    csrf.protect()  # raises CSRFError unless the request passes
    # Remembered only when Flask-WTF judged this header token (not a form field's).
    if token and expected and not request.form:
        if len(_ACCEPTED_TOKENS) >= MAX_ACCEPTED_TOKENS:
            _ACCEPTED_TOKENS.clear()
        _ACCEPTED_TOKENS[key] = expected


def _referrer_allowed(config):
    if not (request.is_secure and config["WTF_CSRF_SSL_STRICT"]):
        return True
    return bool(request.referrer) and same_origin(request.referrer, f"https://{request.host}/")
