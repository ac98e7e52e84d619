"""Register, verify an email, log in, log out and reset a forgotten password:
server-rendered pages around the single-page app.

Nothing here tells a visitor which emails have accounts: registering, asking
for a reset link and asking for a verification link answer the same page in
the same time for every address (the email goes through the outbox, never
inside the request; see backend/mail.py), and each is throttled.
"""

import hashlib
import time
from urllib.parse import urlsplit

from bson import ObjectId
from bson.errors import InvalidId
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from backend.auth import activity, models, passkeys, session_cache, tokens, twofactor
from backend.auth.forms import (
    EMAIL_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResendVerificationForm,
    ResetPasswordForm,
    SecondStepForm,
    password_problems,
)
from backend.auth.throttle import Throttle, wait_message
from backend.extensions import login_manager
from backend.mail import queue_mail

blueprint = Blueprint("auth", __name__)

LOGIN_FAILED = "Incorrect email or password."
TOO_MANY_LOGINS = "Too many failed logins."
# One account guessed at from many places, or many accounts from one place
# (which may be an office behind one address, hence more attempts).
ACCOUNT_THROTTLE = Throttle("login-account", free_attempts=5)
CLIENT_THROTTLE = Throttle("login-client", free_attempts=20)
# A browser with a device cookie for the account is counted apart, so that
# guesses from elsewhere cannot lock its owner out (OWASP's device cookies).
DEVICE_THROTTLE = Throttle("login-device", free_attempts=5)
# Every request for a reset link counts, whether or not the email has an account.
RESET_EMAIL_THROTTLE = Throttle("reset-email", free_attempts=3)
RESET_CLIENT_THROTTLE = Throttle("reset-client", free_attempts=10)
TOO_MANY_RESETS = "Too many requests for a reset link."
REGISTER_EMAIL_THROTTLE = Throttle("register-email", free_attempts=3)
REGISTER_CLIENT_THROTTLE = Throttle("register-client", free_attempts=20)
TOO_MANY_REGISTRATIONS = "Too many registrations."
RESEND_EMAIL_THROTTLE = Throttle("resend-email", free_attempts=3)
RESEND_CLIENT_THROTTLE = Throttle("resend-client", free_attempts=10)
TOO_MANY_RESENDS = "Too many requests for a link."
# The second step of a login: wrong codes are counted per account (and per device
# cookie, as passwords are) apart from the password's counter, which a right
# password clears; whoever knows the password still gets only a few guesses.
SECOND_FACTOR_THROTTLE = Throttle("second-factor", free_attempts=5)
SECOND_FACTOR_DEVICE_THROTTLE = Throttle("second-factor-device", free_attempts=5)
WRONG_CODE = "That code is not right, or it was used already."
TOO_MANY_CODES = "Too many wrong codes."
TOO_MANY_PASSKEY_LOGINS = "Too many failed logins."
# The half-done login (the password was right, the second factor is asked for)
# waits in the signed session cookie, bound to the password hash, this long.
PENDING_LOGIN_KEY = "pending_login"
PENDING_LOGIN_MAX_AGE = 5 * 60
WEBAUTHN_CHALLENGE_KEY = "webauthn_challenge"
# Where a token from an emailed link waits once it has left the URL.
RESET_TOKEN_KEY = "reset_token"  # noqa: S105  # nosec B105
VERIFY_TOKEN_KEY = "verify_token"  # noqa: S105  # nosec B105


@login_manager.user_loader
def load_user(session_id):
    return models.load_session(session_id)


@blueprint.record_once
def init_session_cache(state):
    session_cache.init_app(state.app, models.SESSIONS)


# Register and verify ----------------------------------------------------------


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = models.normalize_email(form.email.data)
        throttles = (
            (REGISTER_EMAIL_THROTTLE, email),
            (REGISTER_CLIENT_THROTTLE, request.remote_addr),
        )
        if refusal := _refuse_if_throttled(
            throttles, form, "auth/register.html", TOO_MANY_REGISTRATIONS
        ):
            return refusal
        # Hashed whether or not the email is taken, so that both take as long.
        password_hash = models.hash_password(form.password.data)
        try:
            user = models.create_user(email, None, verified=False, password_hash=password_hash)
        except models.EmailTaken:
            taken = models.find_user_by_email(email)
            activity.record(taken["_id"], "register_attempt")
            send_notice(
                "auth/email/register_taken.txt", email, "Someone tried to register with your email"
            )
        else:
            activity.record(user["_id"], "registered")
            _send_verification_link(user, email)
        return render_template("auth/check_email.html", reason="register", email=email)
    return render_template("auth/register.html", form=form)


@blueprint.route("/verify/resend", methods=["GET", "POST"])
def resend_verification():
    def send(user, email):
        if not models.is_verified(user):
            _send_verification_link(user, email)

    return _email_me_a_link(
        ResendVerificationForm(),
        "auth/resend_verification.html",
        (RESEND_EMAIL_THROTTLE, RESEND_CLIENT_THROTTLE, TOO_MANY_RESENDS),
        send,
        lambda email: render_template("auth/check_email.html", reason="resend", email=email),
    )


@blueprint.get("/verify/<token>")
def verify_link(token):
    """An emailed link: its token moves into the session, out of the URL (and so out of
    access logs and Referer headers), and the page asks for a click: a mail scanner
    that fetches links acts on nothing."""
    return _token_into_session(VERIFY_TOKEN_KEY, token, tokens.verification, "auth.verify")


@blueprint.route("/verify", methods=["GET", "POST"])
def verify():
    found = tokens.verification(session.get(VERIFY_TOKEN_KEY, ""))
    if found is None:
        return render_template("auth/verify.html", form=None), 400
    user, email = found
    form = ConfirmForm()
    registration = user["email"] == email
    if not form.validate_on_submit():
        return render_template(
            "auth/verify.html", form=form, email=email, registration=registration
        )
    session.pop(VERIFY_TOKEN_KEY)
    if registration:
        models.mark_verified(user["_id"])
        activity.record(user["_id"], "email_verified")
        response = _log_in(models.find_user(user["_id"]), home())
        flash("Your email address is verified. Welcome!", "success")  # in the new session
        return response
    return _change_email(user, email)


def _change_email(user, email):
    """The new address is verified: the change takes effect."""
    try:
        models.change_email(user["_id"], email)
    except models.EmailTaken:
        flash(f"Another account has taken {email} meanwhile: your email is unchanged.", "error")
        return redirect(url_for("account.account"))
    activity.record(user["_id"], "email_changed", old=user["email"], new=email)
    this_user = current_user.is_authenticated and current_user.id == user["_id"]
    if this_user:
        start_new_session(models.find_user(user["_id"]))  # a privilege change
    flash(f"Your email is now {email}.", "success")
    return redirect(url_for("account.account" if this_user else "auth.login"))


def _send_verification_link(user, email):
    link = external_url("auth.verify_link", token=tokens.make_verify_token(user, email))
    send_notice("auth/email/verify.txt", email, "Verify your email address", link=link)


# Log in and out ---------------------------------------------------------------


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = models.normalize_email(form.email.data)
        device = tokens.device_nonce(request.cookies.get(tokens.DEVICE_COOKIE), email)
        account = (DEVICE_THROTTLE, f"{email}:{device}") if device else (ACCOUNT_THROTTLE, email)
        throttles = (account, (CLIENT_THROTTLE, request.remote_addr))
        # Counted before bcrypt runs: simultaneous guesses cannot slip past the count.
        if refusal := _refuse_if_throttled(throttles, form, "auth/login.html", TOO_MANY_LOGINS):
            return refusal
        user = models.authenticate(email, form.password.data)
        if user is None:
            if known := models.find_user_by_email(email):
                activity.record(known["_id"], "login_failed")
            form.form_errors.append(LOGIN_FAILED)
        else:
            account[0].reset(account[1])
            CLIENT_THROTTLE.refund(request.remote_addr)  # a success costs the client nothing
            if not models.is_verified(user):
                activity.record(user["_id"], "login_unverified")
                return render_template("auth/login.html", form=form, unverified=True)
            return _password_accepted(user, form.next.data, new_browser=device is None)
    return render_template("auth/login.html", form=form)


def _password_accepted(user, next_path, new_browser):
    """Logged in, or (two-factor login on) sent to the second step, with no session yet."""
    if not twofactor.is_on(user):
        return _log_in(user, next_path, new_browser=new_browser)
    session[PENDING_LOGIN_KEY] = {
        "user": str(user["_id"]),
        "state": _pending_state(user),
        "next": next_path or "",
        "new_browser": new_browser,
        "at": int(time.time()),
    }
    return redirect(url_for("auth.second_step"))


def _pending_state(user):
    # A password changed or reset meanwhile ends the half-done login.
    return hashlib.sha256(user["password_hash"].encode()).hexdigest()[:32]


def _pending_login():
    """``(user, pending)`` of a live half-done login, else None."""
    pending = session.get(PENDING_LOGIN_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_LOGIN_MAX_AGE:
        return None
    try:
        user = models.find_user(ObjectId(pending.get("user")))
    except (InvalidId, TypeError):
        return None
    if user is None or pending.get("state") != _pending_state(user):
        return None
    return user, pending


def _second_factor_throttles(user):
    device = tokens.device_nonce(request.cookies.get(tokens.DEVICE_COOKIE), user["email"])
    account = (
        (SECOND_FACTOR_DEVICE_THROTTLE, f"{user['_id']}:{device}")
        if device
        else (SECOND_FACTOR_THROTTLE, str(user["_id"]))
    )
    return account, (CLIENT_THROTTLE, request.remote_addr)


def _second_factor_passed(user, pending, throttles):
    throttles[0][0].reset(throttles[0][1])
    CLIENT_THROTTLE.refund(request.remote_addr)
    session.pop(PENDING_LOGIN_KEY, None)
    return _log_in(user, pending["next"], new_browser=pending["new_browser"])


@blueprint.route("/login/second-step", methods=["GET", "POST"])
def second_step():
    """After the right password: a code from the authenticator app, a recovery code or
    a passkey. Server-rendered; no session exists until this step is passed."""
    found = _pending_login()
    if found is None:
        session.pop(PENDING_LOGIN_KEY, None)
        flash("Your login has expired. Log in again.", "error")
        return redirect(url_for("auth.login"))
    user, pending = found
    form = SecondStepForm()
    context = {
        "totp": twofactor.is_totp_on(user),
        "passkeys": passkeys.count(user["_id"]) > 0,
        "recovery_codes": twofactor.recovery_codes_left(user) > 0,
    }
    if form.validate_on_submit():
        throttles = _second_factor_throttles(user)
        if refusal := _refuse_if_throttled(
            throttles, form, "auth/second_step.html", TOO_MANY_CODES, **context
        ):
            return refusal
        method = twofactor.use_code(user, form.code.data)
        if method is None:
            activity.record(user["_id"], "second_factor_failed")
            form.code.errors.append(WRONG_CODE)
        else:
            if method == "recovery":
                activity.record(user["_id"], "recovery_code_used")
                left = twofactor.recovery_codes_left(models.find_user(user["_id"]))
                send_notice(
                    "auth/email/recovery_code_used.txt",
                    user["email"],
                    "A recovery code was used",
                    left=left,
                )
            return _second_factor_passed(user, pending, throttles)
    return render_template("auth/second_step.html", form=form, **context)


@blueprint.post("/login/second-step/passkey/options")  # CSRFProtect checks X-CSRFToken
def second_step_passkey_options():
    found = _pending_login()
    if found is None:
        return {"error": "Your login has expired. Log in again."}, 400
    options, key = passkeys.authentication_options(found[0])
    session[WEBAUTHN_CHALLENGE_KEY] = key
    return current_app.response_class(options, mimetype="application/json")


@blueprint.post("/login/second-step/passkey")
def second_step_passkey():
    found = _pending_login()
    if found is None:
        return {"error": "Your login has expired. Log in again."}, 400
    user, pending = found
    throttles = _second_factor_throttles(user)
    if wait := _claim_json(throttles):
        return {"error": f"{TOO_MANY_CODES} {wait_message(wait)}"}, 429, {"Retry-After": str(wait)}
    try:
        passkeys.authenticate(session.pop(WEBAUTHN_CHALLENGE_KEY, None), _json_body(), user)
    except passkeys.PasskeyError as error:
        activity.record(user["_id"], "second_factor_failed")
        return {"error": str(error)}, 400
    return _as_json(_second_factor_passed(user, pending, throttles))


@blueprint.post("/login/passkey/options")  # CSRFProtect checks X-CSRFToken
def passkey_login_options():
    options, key = passkeys.authentication_options()
    session[WEBAUTHN_CHALLENGE_KEY] = key
    return current_app.response_class(options, mimetype="application/json")


@blueprint.post("/login/passkey")
def passkey_login():
    """A login with a passkey alone: it is two factors in one (the device, and the
    fingerprint or PIN that unlocks it: user verification is required)."""
    throttles = ((CLIENT_THROTTLE, request.remote_addr),)
    if wait := _claim_json(throttles):
        message = f"{TOO_MANY_PASSKEY_LOGINS} {wait_message(wait)}"
        return {"error": message}, 429, {"Retry-After": str(wait)}
    body = _json_body()
    try:
        user, _passkey = passkeys.authenticate(session.pop(WEBAUTHN_CHALLENGE_KEY, None), body)
    except passkeys.PasskeyError as error:
        return {"error": str(error)}, 400
    CLIENT_THROTTLE.refund(request.remote_addr)
    if not models.is_verified(user):
        return {"error": "Verify your email address first."}, 400
    device = tokens.device_nonce(request.cookies.get(tokens.DEVICE_COOKIE), user["email"])
    next_path = body.get("next") if isinstance(body.get("next"), str) else ""
    return _as_json(_log_in(user, next_path, new_browser=device is None, method="passkey"))


def _json_body():
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _claim_json(throttles):
    """As _refuse_if_throttled, for the JSON steps: the seconds to wait, or 0."""
    claimed = []
    for throttle, key in throttles:
        if wait := throttle.claim(key):
            for earlier, earlier_key in claimed:
                earlier.refund(earlier_key)
            return wait
        claimed.append((throttle, key))
    return 0


def _as_json(response):
    """A redirect made for a form, as the JSON answer a script follows: the same cookies."""
    location = response.headers.pop("Location")
    response.status_code = 200
    response.mimetype = "application/json"
    response.set_data(current_app.json.dumps({"redirect": location}))
    return response


@blueprint.route("/logout", methods=["POST"])  # CSRFProtect checks the token
def logout():
    if current_user.is_authenticated:
        models.end_session(current_user.session_id)
        activity.record(current_user.id, "logout")
        logout_user()
        flash("You are logged out.", "success")  # the login page shows it
    return redirect(url_for("auth.login"))


def _log_in(user_document, next_path, new_browser=False, method=None):
    if new_browser and user_document.get("last_login_at"):
        # Not the first login ever: the owner wants to hear of a browser never seen.
        activity.record(user_document["_id"], "login_new_browser")
        send_notice(
            "auth/email/new_login.txt",
            user_document["email"],
            "New login to your account",
            user_agent=request.user_agent.string,
            ip=request.remote_addr,
        )
    else:
        activity.record(user_document["_id"], "login_passkey" if method == "passkey" else "login")
    models.record_login(user_document["_id"])
    start_new_session(user_document)
    response = redirect(safe_next_path(next_path))
    _remember_device(response, user_document["email"])
    return response


def start_new_session(user_document):
    """Log this browser in with a new session id; the one it had (if any) ends."""
    if current_user.is_authenticated:
        models.end_session(current_user.session_id)
    session.clear()  # a fresh session (and CSRF token) for the new login
    g.pop(
        "csrf_token", None
    )  # Flask-WTF's copy for this request: a page rendered now gets a new one
    session.permanent = True
    login_user(models.start_session(user_document))


def _remember_device(response, email):
    cookie = tokens.device_cookie_with(request.cookies.get(tokens.DEVICE_COOKIE), email)
    config = current_app.config
    response.set_cookie(
        tokens.DEVICE_COOKIE,
        cookie,
        max_age=tokens.DEVICE_COOKIE_MAX_AGE,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


# Forgotten password -----------------------------------------------------------


@blueprint.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    return _email_me_a_link(
        ForgotPasswordForm(),
        "auth/forgot_password.html",
        (RESET_EMAIL_THROTTLE, RESET_CLIENT_THROTTLE, TOO_MANY_RESETS),
        lambda user, email: _send_reset_link(user),
        lambda email: render_template("auth/reset_link_sent.html"),
    )


@blueprint.get("/password/reset/<token>")
def reset_link(token):
    return _token_into_session(
        RESET_TOKEN_KEY, token, tokens.user_for_reset_token, "auth.reset_password"
    )


@blueprint.route("/password/reset", methods=["GET", "POST"])
def reset_password():
    user = tokens.user_for_reset_token(session.get(RESET_TOKEN_KEY, ""))
    if user is None:
        return render_template("auth/reset_password.html", form=None), 400
    form = ResetPasswordForm(account_email=user["email"])
    if form.validate_on_submit():
        models.set_password(user["_id"], form.password.data, verify=True)
        # Whoever knew the old password is logged out, this browser too; the owner
        # logs in afresh.
        models.end_sessions(user["_id"])
        logout_user()
        session.clear()
        ACCOUNT_THROTTLE.reset(user["email"])
        activity.record(user["_id"], "password_reset")
        send_notice("auth/email/password_reset.txt", user["email"], "Your password was reset")
        flash("Your password is changed. Log in with your new password.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


def _send_reset_link(user):
    link = external_url("auth.reset_link", token=tokens.make_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    subject = f"Reset your {current_app.config['APP_NAME']} password"
    send_notice(
        "auth/reset_email.txt", user["email"], subject, link=link, minutes=minutes, bare=True
    )


# Password strength, as you type ---------------------------------------------


@blueprint.post("/password/strength")  # CSRFProtect checks the X-CSRFToken header
def password_strength():
    """zxcvbn's verdict on a password being chosen, for the feedback beside the field
    (static/password-strength.js); the form checks it again when it is sent."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return {"error": "Send a JSON object."}, 400
    password, email = data.get("password"), data.get("email") or ""
    if not isinstance(password, str) or not isinstance(email, str):
        return {"error": "password and email are strings."}, 400
    if len(password) > PASSWORD_MAX_LENGTH:
        return {"problems": [f"Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters."]}
    problems = password_problems(password, email[:EMAIL_MAX_LENGTH]) if password else []
    if password and len(password) < PASSWORD_MIN_LENGTH:
        problems.insert(0, f"Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.")
    return {"problems": problems}, 200, {"Cache-Control": "no-store"}


# Helpers ----------------------------------------------------------------------


def _token_into_session(key, token, check, endpoint):
    if check(token) is None:
        return render_template(f"auth/{endpoint.split('.')[1]}.html", form=None), 400
    session[key] = token
    return redirect(url_for(endpoint))


def external_url(endpoint, **values):
    """An absolute URL for an email: from PUBLIC_URL rather than the request's Host
    header, which the client chooses (a forged one would send the link elsewhere)."""
    if current_app.config["PUBLIC_URL"]:
        return current_app.config["PUBLIC_URL"] + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def send_notice(template, to, subject, bare=False, **context):
    """Queue an email rendered from ``template``; its subject names the app."""
    body = render_template(template, login_url=external_url("auth.login"), **context)
    app_name = current_app.config["APP_NAME"]
    queue_mail(to, subject if bare else f"{subject} · {app_name}", body)


def _email_me_a_link(form, template, throttling, send, answer):
    """An "email me a link" form: a new verification link, or a password reset.

    ``throttling`` is (the per-email throttle, the per-client one, the message
    of a refusal); ``send(user, email)`` sends the link to an account's email,
    and ``answer(email)`` is the page after it, the same whether or not the
    email has an account, so that the form reveals none.
    """
    if not form.validate_on_submit():
        return render_template(template, form=form)
    email = models.normalize_email(form.email.data)
    email_throttle, client_throttle, too_many = throttling
    throttles = ((email_throttle, email), (client_throttle, request.remote_addr))
    if refusal := _refuse_if_throttled(throttles, form, template, too_many):
        return refusal
    if user := models.find_user_by_email(email):
        send(user, email)
    return answer(email)


def _refuse_if_throttled(throttles, form, template, message, **context):
    """The form again with 429 if any (throttle, key) must wait, else None, each key
    having counted one attempt (claimed atomically: see backend/auth/throttle.py)."""
    claimed = []
    for throttle, key in throttles:
        if wait := throttle.claim(key):
            for earlier, earlier_key in claimed:
                earlier.refund(earlier_key)  # this attempt is not made after all
            form.form_errors.append(f"{message} {wait_message(wait)}")
            page = render_template(template, form=form, **context)
            return page, 429, {"Retry-After": str(wait)}
        claimed.append((throttle, key))
    return None


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
    return next_path if local else home()


def home():
    """The app's first page. Not url_for("pages.index"): each resource's pages share
    that endpoint, so it may build /widgets."""
    return f"{request.script_root}/"
