"""The account page's forms, each posted to a URL of its own."""

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length, ValidationError

from backend.auth import models
from backend.auth.forms import PASSWORD_MAX_LENGTH, email_field, new_password_fields


def is_current_password(form, field):
    if not models.password_matches(current_user.id, field.data):
        raise ValidationError("That is not your current password.")


def current_password_field():
    return PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH), is_current_password],
    )


class AccountForm(FlaskForm):
    """The page shows several forms: a prefix keeps their field names and ids apart."""

    form_prefix = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix=self.form_prefix, **kwargs)


class ChangeEmailForm(AccountForm):
    form_prefix = "email"
    email = email_field("New email")
    password = current_password_field()


class ChangePasswordForm(AccountForm):
    form_prefix = "password"
    current_password = current_password_field()
    password, confirm = new_password_fields("New password")


class EndSessionsForm(AccountForm):
    form_prefix = "sessions"


class DeleteAccountForm(AccountForm):
    form_prefix = "delete"
    password = current_password_field()
