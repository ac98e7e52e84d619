"""Security headers on every response.

To relax one for your own needs, edit the policy below (a CDN script, say:
add its origin to ``script-src``), or set the header in the view that needs
something else: a header the response already has is left as it is.
"""

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
