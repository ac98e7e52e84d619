"""``/account``: one page, and a URL of its own for each of its forms."""

from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required, logout_user

from backend.account.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    EndSessionsForm,
)
from backend.auth import models
from backend.extensions import mongo
from backend.resources import owned_documents

blueprint = Blueprint("account", __name__)


@blueprint.get("/account")
@login_required
def account():
    return account_page()


@blueprint.post("/account/email")
@login_required
def change_email():
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            models.change_email(current_user.id, form.email.data)
        except models.EmailTaken:
            form.email.errors.append("An account with this email already exists.")
        else:
            flash(f"Your email is now {models.normalize_email(form.email.data)}.", "success")
            return redirect(url_for(".account"))
    return account_page(email_form=form)


@blueprint.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        models.set_password(current_user.id, form.password.data)
        # Whoever knew the old password is logged out; this browser stays in.
        models.end_sessions(current_user.id, keep=current_user.session_id)
        flash("Your password is changed, and every other session has ended.", "success")
        return redirect(url_for(".account"))
    return account_page(password_form=form)


@blueprint.post("/account/sessions")  # CSRFProtect checks the token
@login_required
def end_other_sessions():
    models.end_sessions(current_user.id, keep=current_user.session_id)
    flash("You are logged out everywhere else.", "success")
    return redirect(url_for(".account"))


@blueprint.post("/account/delete")
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user_id = current_user.id
        models.delete_user(user_id)  # and its sessions
        for collection, query in owned_documents(current_app, user_id):
            mongo.db[collection].delete_many(query)
        logout_user()
        session.clear()
        flash("Your account and everything in it are deleted.", "success")
        return redirect(url_for("auth.login"))
    return account_page(delete_form=form)


def account_page(**submitted):
    """The page, with a form just submitted (and its errors) in place of its blank twin."""
    forms = {
        "email_form": ChangeEmailForm,
        "password_form": ChangePasswordForm,
        "sessions_form": EndSessionsForm,
        "delete_form": DeleteAccountForm,
    }
    forms = {name: submitted.get(name) or form(formdata=None) for name, form in forms.items()}
    other_sessions = models.count_sessions(current_user.id, besides=current_user.session_id)
    return render_template("account/account.html", other_sessions=other_sessions, **forms)
