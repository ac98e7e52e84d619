"""``/account``: one page, and a URL of its own for each of its forms.

Each change of what a session may do (a new password, a new email, the other
sessions ended) gives this browser a new session id: a copy of its cookie,
taken before, is dead afterwards.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user

from backend.account import browsers
from backend.account.forms import (
    AddPasskeyForm,
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    DisableTotpForm,
    EndSessionsForm,
    RecoveryCodesForm,
    RemovePasskeyForm,
)
from backend.auth import activity, models, passkeys, tokens, twofactor
from backend.auth.views import external_url, send_notice, start_new_session
from backend.extensions import mongo
from backend.resources import owned_documents

blueprint = Blueprint("account", __name__)


@blueprint.get("/account")
@login_required
def account():
    return account_page()


@blueprint.get("/account/<path:form_url>")
@login_required
def back_to_account(form_url):
    """A form's own URL asked for by GET (typed, bookmarked, or the address bar after a
    failed form): the page the form is on, never a 405. Pages of their own, such as
    /account/totp, are rules without a converter, which Flask matches first."""
    return redirect(url_for(".account"))


@blueprint.post("/account/email")
@login_required
def change_email():
    """Takes effect once the new address is verified (see auth.verify); the old one is told."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        email = models.normalize_email(form.email.data)
        user = models.find_user(current_user.id)
        if email == user["email"]:
            form.email.errors.append("This is your email already.")
            return account_page(email_form=form)
        # A taken address gets the same answer, and its owner a note instead of a
        # link: this form must not tell which emails have accounts either.
        if models.find_user_by_email(email):
            send_notice("auth/email/register_taken.txt", email, "Someone tried to use your email")
        else:
            token = tokens.make_verify_token(user, email)
            link = external_url("auth.verify_link", token=token)
            send_notice(
                "auth/email/change_email_verify.txt", email, "Verify your new email", link=link
            )
        send_notice(
            "auth/email/change_email_notice.txt", user["email"], "Email change requested", new=email
        )
        activity.record(user["_id"], "email_change_requested", new=email)
        flash(
            f"We have sent a link to {email}: your email changes once you follow it. "
            f"Until then it stays {user['email']}.",
            "success",
        )
        return redirect(url_for(".account"))
    return account_page(email_form=form)


@blueprint.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        models.set_password(current_user.id, form.password.data)
        user = models.find_user(current_user.id)
        # Whoever knew the old password is logged out, a copy of this very
        # cookie too; this browser stays in with a new session id.
        models.end_sessions(user["_id"], keep=current_user.session_id)
        start_new_session(user)
        activity.record(user["_id"], "password_changed")
        send_notice("auth/email/password_changed.txt", user["email"], "Your password was changed")
        flash("Your password is changed, and every other session has ended.", "success")
        return redirect(url_for(".account"))
    return account_page(password_form=form)


@blueprint.post("/account/sessions")  # CSRFProtect checks the token
@login_required
def end_other_sessions():
    user = models.find_user(current_user.id)
    models.end_sessions(user["_id"], keep=current_user.session_id)
    start_new_session(user)
    activity.record(user["_id"], "sessions_ended")
    flash("You are logged out everywhere else.", "success")
    return redirect(url_for(".account"))


@blueprint.post("/account/sessions/<stored_id>/end")  # CSRFProtect checks the token
@login_required
def end_session(stored_id):
    """One session of the user's, named by its stored id (see models.list_sessions). This
    browser keeps its session id: "Log out of all other sessions" is there for a copy of it.
    Someone else's session, or one ended already, is not the user's: nothing changes."""
    if models.end_session_by_id(current_user.id, stored_id):
        activity.record(current_user.id, "session_ended")
        flash("Session ended.", "success")
    else:
        flash("That session had ended already.", "error")
    return redirect(url_for(".account"))


@blueprint.post("/account/delete")
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user_id = current_user.id
        models.delete_user(user_id)  # and its sessions
        activity.forget(user_id)
        passkeys.forget(user_id)
        for collection, query in owned_documents(current_app, user_id):
            mongo.db[collection].delete_many(query)
        logout_user()
        session.clear()
        flash("Your account and everything in it are deleted.", "success")
        return redirect(url_for("auth.login"))
    return account_page(delete_form=form)


def account_page(**submitted):
    """The page, with a form just submitted (and its errors) in place of its blank twin;
    429 when that form's password check was throttled."""
    forms = {
        "email_form": ChangeEmailForm,
        "password_form": ChangePasswordForm,
        "sessions_form": EndSessionsForm,
        "delete_form": DeleteAccountForm,
        "totp_disable_form": DisableTotpForm,
        "recovery_form": RecoveryCodesForm,
        "passkey_form": AddPasskeyForm,
        "passkey_remove_form": RemovePasskeyForm,
    }
    forms = {name: submitted.get(name) or form(formdata=None) for name, form in forms.items()}
    # One autofocus on the page: the form that failed, else the first (see _form.html).
    focused = next(iter(submitted.values()), forms["email_form"])
    for form in forms.values():
        form.takes_focus = form is focused
    sessions = [
        {**session, "browser": browsers.describe(session.get("user_agent"))}
        for session in models.list_sessions(current_user.id, current=current_user.session_id)
    ]
    user = models.find_user(current_user.id)
    page = render_template(
        "account/account.html",
        sessions=sessions,
        other_sessions=sum(not session["current"] for session in sessions),
        totp_on=twofactor.is_totp_on(user),
        two_factor_on=twofactor.is_on(user),
        recovery_codes_left=twofactor.recovery_codes_left(user),
        passkeys=passkeys.of_user(current_user.id),
        activity=activity.recent(current_user.id),
        **forms,
    )
    wait = max(form.retry_after for form in forms.values())
    return (page, 429, {"Retry-After": str(wait)}) if wait else page


# The two-factor settings' routes, on this blueprint.
from backend.account import twofactor_views  # noqa: E402, F401
