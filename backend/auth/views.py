"""Register, log in and log out: server-rendered pages around the single-page app."""

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from backend.auth import models
from backend.auth.forms import LoginForm, RegisterForm
from backend.auth.throttle import Throttle, wait_message
from backend.extensions import login_manager

blueprint = Blueprint("auth", __name__)

LOGIN_FAILED = "Incorrect email or password."
TOO_MANY_LOGINS = "Too many failed logins."
# One account guessed at from many places, or many accounts from one place
# (which may be an office behind one address, hence more attempts).
ACCOUNT_THROTTLE = Throttle("login-account", free_attempts=5)
CLIENT_THROTTLE = Throttle("login-client", free_attempts=20)


@login_manager.user_loader
def load_user(session_id):
    return models.load_session(session_id)


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = models.create_user(form.email.data, form.password.data)
        except models.EmailTaken:
            form.email.errors.append("An account with this email already exists. Log in instead.")
        else:
            return _log_in(user, form.next.data)
    return render_template("auth/register.html", form=form)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = models.normalize_email(form.email.data)
        throttles = ((ACCOUNT_THROTTLE, email), (CLIENT_THROTTLE, request.remote_addr))
        wait = max(throttle.retry_after(key) for throttle, key in throttles)
        if wait:
            form.form_errors.append(f"{TOO_MANY_LOGINS} {wait_message(wait)}")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
        user = models.authenticate(email, form.password.data)
        if user:
            ACCOUNT_THROTTLE.reset(email)
            return _log_in(user, form.next.data)
        for throttle, key in throttles:
            throttle.record(key)
        form.form_errors.append(LOGIN_FAILED)
    return render_template("auth/login.html", form=form)


@blueprint.route("/logout", methods=["POST"])  # CSRFProtect checks the token
def logout():
    if current_user.is_authenticated:
        models.end_session(current_user.session_id)
        logout_user()
    return redirect(url_for("auth.login"))


def _log_in(user_document, next_path):
    session.clear()  # a fresh session (and CSRF token) for the new login
    session.permanent = True
    login_user(models.start_session(user_document))
    return redirect(safe_next_path(next_path))


def safe_next_path(next_path):
    """``next_path`` if it is a path on this site, else the home page."""
    parts = urlsplit(next_path or "")
    local = (
        next_path
        and next_path.startswith("/")
        and not next_path.startswith(("//", "/\\"))
        and not parts.scheme
        and not parts.netloc
        and next_path.isprintable()
    )
    return next_path if local else url_for("pages.index")
