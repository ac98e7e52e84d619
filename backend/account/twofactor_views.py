"""The account page's two-factor settings: the authenticator app (TOTP), recovery
codes and passkeys (see backend/auth/twofactor.py and backend/auth/passkeys.py).

Every change ends the other sessions (this browser gets a new session id), is
written to the security log and mailed to the account's address.
"""

import re
import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from backend.account.forms import (
    AddPasskeyForm,
    DisableTotpForm,
    EnableTotpForm,
    RecoveryCodesForm,
    RemovePasskeyForm,
)
from backend.account.views import account_page, blueprint
from backend.auth import activity, models, passkeys, twofactor
from backend.auth.views import send_notice, start_new_session

TOTP_SETUP_KEY = "totp_setup"
TOTP_SETUP_MAX_AGE = 15 * 60
PASSKEY_CHALLENGE_KEY = "passkey_registration"
RECOVERY_CODE = re.compile(r"^[0-9a-f]{5}-[0-9a-f]{5}$")


def security_change(kind, change):
    """What every change to these settings does (see the module's docstring)."""
    user = models.find_user(current_user.id)
    models.end_sessions(user["_id"], keep=current_user.session_id)
    start_new_session(user)
    activity.record(user["_id"], kind)
    send_notice(
        "auth/email/two_factor_changed.txt",
        user["email"],
        "Two-factor login changed",
        change=change,
    )
    flash(f"{change} Every other session has ended.", "success")


# The authenticator app ----------------------------------------------------------


@blueprint.route("/account/totp", methods=["GET", "POST"])
@login_required
def totp_setup():
    """Scan the QR code (or type the key), then confirm with a first code."""
    user = models.find_user(current_user.id)
    if twofactor.is_totp_on(user):
        flash("Two-factor login with an authenticator app is on already.", "success")
        return redirect(url_for(".account"))
    setup = session.get(TOTP_SETUP_KEY)
    if not isinstance(setup, dict) or time.time() - setup.get("at", 0) > TOTP_SETUP_MAX_AGE:
        setup = session[TOTP_SETUP_KEY] = {"secret": twofactor.new_secret(), "at": int(time.time())}
    form = EnableTotpForm()
    if form.validate_on_submit():
        step = twofactor.matching_step(setup["secret"], form.code.data)
        if step is None:
            form.code.errors.append(
                "That is not the code the app shows. Check its clock, and try again."
            )
        else:
            twofactor.enable_totp(user["_id"], setup["secret"], step)
            codes = twofactor.new_recovery_codes(user["_id"])
            security_change("totp_enabled", "Two-factor login with an authenticator app is on.")
            return _show_recovery_codes(codes)
    uri = twofactor.provisioning_uri(setup["secret"], user["email"], current_app.config["APP_NAME"])
    return render_template(
        "account/totp_setup.html",
        form=form,
        qr_code=twofactor.qr_code_data_uri(uri),
        secret=" ".join(re.findall(".{1,4}", setup["secret"])),
    )


@blueprint.post("/account/totp/disable")
@login_required
def totp_disable():
    form = DisableTotpForm()
    if form.validate_on_submit():
        twofactor.disable_totp(current_user.id)
        if passkeys.count(current_user.id) == 0:
            twofactor.forget_recovery_codes(current_user.id)  # two-factor login is off
        security_change("totp_disabled", "Two-factor login with an authenticator app is off.")
        return redirect(url_for(".account"))
    return account_page(totp_disable_form=form)


# Recovery codes ------------------------------------------------------------------


@blueprint.post("/account/recovery-codes")
@login_required
def recovery_codes():
    """New codes; the old ones stop working."""
    form = RecoveryCodesForm()
    user = models.find_user(current_user.id)
    if not twofactor.is_on(user):
        flash("Two-factor login is off: there are no recovery codes to make.", "error")
        return redirect(url_for(".account"))
    if form.validate_on_submit():
        codes = twofactor.new_recovery_codes(user["_id"])
        security_change(
            "recovery_codes_made", "You have new recovery codes; the old ones are dead."
        )
        return _show_recovery_codes(codes)
    return account_page(recovery_form=form)


@blueprint.post("/account/recovery-codes/download")
@login_required
def download_recovery_codes():
    """The codes just shown, as a file: sent back by the page that shows them, since
    the server keeps only their digests."""
    codes = [code for code in request.form.get("codes", "").split() if RECOVERY_CODE.match(code)]
    body = (
        f"Recovery codes for {current_user.email} at {current_app.config['APP_NAME']}.\n"
        "Each works once, in place of a code from your authenticator app.\n\n"
        + "\n".join(codes[: twofactor.RECOVERY_CODES])
        + "\n"
    )
    name = f"{current_app.config['APP_NAME'].lower()}-recovery-codes.txt"
    return current_app.response_class(
        body,
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _show_recovery_codes(codes):
    return render_template("account/recovery_codes.html", codes=codes)


# Passkeys -----------------------------------------------------------------------


@blueprint.post("/account/passkeys/options")  # CSRFProtect checks the token
@login_required
def passkey_options():
    """The name and the password are checked first; then the browser's options."""
    form = AddPasskeyForm()
    if not form.validate_on_submit():
        errors = {field.name: field.errors for field in form if field.errors}
        status = 429 if form.retry_after else 400
        return {"error": "Check the form.", "fields": errors}, status
    user = models.find_user(current_user.id)
    options, key = passkeys.registration_options(user, form.name.data.strip())
    session[PASSKEY_CHALLENGE_KEY] = key
    return current_app.response_class(options, mimetype="application/json")


@blueprint.post("/account/passkeys")  # CSRFProtect checks X-CSRFToken
@login_required
def add_passkey():
    credential = request.get_json(silent=True)
    if not isinstance(credential, dict):
        return {"error": "Send the new credential as a JSON object."}, 400
    user = models.find_user(current_user.id)
    try:
        passkey = passkeys.register(user, session.pop(PASSKEY_CHALLENGE_KEY, None), credential)
    except passkeys.PasskeyError as error:
        return {"error": str(error)}, 400
    security_change("passkey_added", f"The passkey “{passkey['name']}” is added.")
    return {"redirect": url_for(".account")}


@blueprint.post("/account/passkeys/remove")
@login_required
def remove_passkey():
    form = RemovePasskeyForm()
    if form.validate_on_submit():
        removed = passkeys.remove(current_user.id, form.passkey.data)
        if removed:
            user = models.find_user(current_user.id)
            if not twofactor.is_on(user):
                twofactor.forget_recovery_codes(user["_id"])
            security_change("passkey_removed", f"The passkey “{removed['name']}” is removed.")
        else:
            flash("That passkey was removed already.", "error")
        return redirect(url_for(".account"))
    return account_page(passkey_remove_form=form)
