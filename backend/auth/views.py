"""Register, log in, log out and reset a forgotten password: server-rendered
pages around the single-page app."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from backend.auth import models
from backend.auth.forms import ForgotPasswordForm, LoginForm, RegisterForm, ResetPasswordForm
from backend.auth.throttle import Throttle, wait_message
from backend.auth.tokens import make_reset_token, user_for_reset_token
from backend.extensions import login_manager
from backend.mail import send_mail

blueprint = Blueprint("auth", __name__)

LOGIN_FAILED = "Incorrect email or password."
TOO_MANY_LOGINS = "Too many failed logins."
# One account guessed at from many places, or many accounts from one place
# (which may be an office behind one address, hence more attempts).
ACCOUNT_THROTTLE = Throttle("login-account", free_attempts=5)
CLIENT_THROTTLE = Throttle("login-client", free_attempts=20)
# Every request for a reset link counts, whether or not the email has an account.
RESET_EMAIL_THROTTLE = Throttle("reset-email", free_attempts=3)
RESET_CLIENT_THROTTLE = Throttle("reset-client", free_attempts=10)
TOO_MANY_RESETS = "Too many requests for a reset link."


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
        if refusal := _refuse_if_throttled(throttles, form, "auth/login.html", TOO_MANY_LOGINS):
            return refusal
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


@blueprint.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = models.normalize_email(form.email.data)
        throttles = ((RESET_EMAIL_THROTTLE, email), (RESET_CLIENT_THROTTLE, request.remote_addr))
        if refusal := _refuse_if_throttled(
            throttles, form, "auth/forgot_password.html", TOO_MANY_RESETS
        ):
            return refusal
        for throttle, key in throttles:
            throttle.record(key)
        user = models.find_user_by_email(email)
        if user:
            _send_reset_link(user)
        # The same answer whether or not the email has an account.
        return render_template("auth/reset_link_sent.html")
    return render_template("auth/forgot_password.html", form=form)


@blueprint.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_password.html", form=None), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        models.set_password(user["_id"], form.password.data)
        # Whoever knew the old password is logged out; the owner logs in afresh.
        models.end_sessions(user["_id"])
        ACCOUNT_THROTTLE.reset(user["email"])
        flash("Your password is changed. Log in with your new password.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


def _send_reset_link(user):
    token = make_reset_token(user)
    # PUBLIC_URL rather than the request's Host header, which the client
    # chooses: a forged one would send the link to another site.
    if current_app.config["PUBLIC_URL"]:
        link = current_app.config["PUBLIC_URL"] + url_for("auth.reset_password", token=token)
    else:
        link = url_for("auth.reset_password", token=token, _external=True)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    body = render_template("auth/reset_email.txt", link=link, minutes=minutes)
    send_mail(user["email"], f"Reset your {current_app.config['APP_NAME']} password", body)


def _refuse_if_throttled(throttles, form, template, message):
    """The form again with 429 while any (throttle, key) says wait, else None."""
    wait = max(throttle.retry_after(key) for throttle, key in throttles)
    if not wait:
        return None
    form.form_errors.append(f"{message} {wait_message(wait)}")
    return render_template(template, form=form), 429, {"Retry-After": str(wait)}


def _log_in(user_document, next_path):
    if current_user.is_authenticated:  # logging in again replaces the old login
        models.end_session(current_user.session_id)
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
