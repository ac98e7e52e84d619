"""Errors: JSON under /api/, a friendly page elsewhere, and 503 while MongoDB is away."""

import logging

from flask import current_app, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from pymongo.errors import ConnectionFailure
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError, SecurityError

from backend.settings import RETRY_AFTER_SECONDS

API_PREFIX = "/api/"
DATABASE_UNAVAILABLE = "The database is unavailable. Try again in a few seconds."

log = logging.getLogger(__name__)


def register_errorhandlers(app):
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(SecurityError, handle_untrusted_host)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(ConnectionFailure, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected_error)


def wants_json():
    return request.path.startswith(API_PREFIX)


def error_response(status, message, headers=None):
    if wants_json():
        response = jsonify(error=message)
    else:
        response = render_template("errors/error.html", status=status, message=message)
    return response, status, headers or {}


def handle_http_error(error):
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return error_response(error.code, error.description, headers)


def handle_untrusted_host(error):
    """A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either."""
    if wants_json():
        return jsonify(error="Untrusted host."), 400
    return "Bad Request: untrusted host.", 400, {"Content-Type": "text/plain; charset=utf-8"}


def handle_csrf_error(error):
    message = "The CSRF token is missing or invalid. Reload the page and try again."
    return error_response(Forbidden.code, message)


def handle_database_unavailable(error):
    log.warning("Database unavailable: %s", error)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if wants_json():
        return error_response(503, DATABASE_UNAVAILABLE, headers)
    # Not render_template: its context processors would look the logged-in
    # user up in the database again (Flask-Login's current_user) and fail.
    page = current_app.jinja_env.get_template("errors/error.html")
    return page.render(status=503, message=DATABASE_UNAVAILABLE), 503, headers


def handle_unexpected_error(error):
    log.exception("Unhandled error", exc_info=error)
    return error_response(InternalServerError.code, "Something went wrong on our side.")


def unauthorized():
    """Not logged in: 401 for the API, the login page (then back here) for pages."""
    if wants_json():
        return error_response(401, "Log in to use the API.")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
