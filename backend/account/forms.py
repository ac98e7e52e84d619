"""The account page's forms, each posted to a URL of its own."""

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from backend.auth import activity, models, passkeys, twofactor
from backend.auth.forms import (
    CODE_MAX_LENGTH,
    LOGIN_PASSWORD_MAX_LENGTH,
    email_field,
    new_password_fields,
)
from backend.auth.throttle import Throttle, wait_message

# A stolen session cookie must not make the account page a password oracle
# (nor a bcrypt CPU lever): its checks are counted per user, like logins.
PASSWORD_CHECK_THROTTLE = Throttle("password-check", free_attempts=5)
WRONG_PASSWORD = "That is not your current password."  # noqa: S105  # nosec B105
TOO_MANY_CHECKS = "Too many wrong passwords."


def is_current_password(form, field):
    """Counted before bcrypt runs; a refusal sets ``form.retry_after`` (the view answers 429)."""
    key = str(current_user.id)
    if wait := PASSWORD_CHECK_THROTTLE.claim(key):
        form.retry_after = wait
        raise ValidationError(f"{TOO_MANY_CHECKS} {wait_message(wait)}")
    if not models.password_matches(current_user.id, field.data):
        activity.record(current_user.id, "password_check_failed")
        raise ValidationError(WRONG_PASSWORD)
    PASSWORD_CHECK_THROTTLE.reset(key)


def current_password_field():
    return PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=LOGIN_PASSWORD_MAX_LENGTH), is_current_password],
    )


class AccountForm(FlaskForm):
    """The page shows several forms: a prefix keeps their field names and ids apart."""

    form_prefix = ""
    retry_after = 0  # seconds, when the password check was throttled
    takes_focus = True  # False for the page's other forms (see account_page)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix=self.form_prefix, **kwargs)


class ChangeEmailForm(AccountForm):
    form_prefix = "email"
    email = email_field("New email")
    password = current_password_field()


class ChangePasswordForm(AccountForm):
    form_prefix = "password"
    current_password = current_password_field()
    password, confirm = new_password_fields("New password", email=lambda form: current_user.email)


class EndSessionsForm(AccountForm):
    form_prefix = "sessions"


class DeleteAccountForm(AccountForm):
    form_prefix = "delete"
    password = current_password_field()


# Two-factor login ----------------------------------------------------------------

# Codes asked for on the account page are counted per user too.
CODE_CHECK_THROTTLE = Throttle("code-check", free_attempts=5)
WRONG_CODE = "That code is not right, or it was used already."
TOO_MANY_CODES = "Too many wrong codes."


def is_current_code(form, field):
    """A TOTP code (or a recovery code) of the user's, used up; checked only once the
    password is right, so that a wrong password costs no code."""
    if form.password.errors:
        raise ValidationError("Enter your password first.")
    key = str(current_user.id)
    if wait := CODE_CHECK_THROTTLE.claim(key):
        form.retry_after = wait
        raise ValidationError(f"{TOO_MANY_CODES} {wait_message(wait)}")
    if twofactor.use_code(models.find_user(current_user.id), field.data) is None:
        activity.record(current_user.id, "second_factor_check_failed")
        raise ValidationError(WRONG_CODE)
    CODE_CHECK_THROTTLE.reset(key)


class EnableTotpForm(AccountForm):
    form_prefix = "totp"
    code = StringField(
        "Code from the app",
        validators=[DataRequired(), Length(max=CODE_MAX_LENGTH)],
        description="The 6 digits the app shows for this account, to show it is set up.",
    )


class DisableTotpForm(AccountForm):
    form_prefix = "totp-off"
    password = current_password_field()
    code = StringField(
        "Code from the app, or a recovery code",
        validators=[DataRequired(), Length(max=CODE_MAX_LENGTH), is_current_code],
    )


class RecoveryCodesForm(AccountForm):
    form_prefix = "recovery"
    password = current_password_field()


class AddPasskeyForm(AccountForm):
    form_prefix = "passkey"
    name = StringField(
        "Name of the passkey",
        validators=[DataRequired(), Length(max=passkeys.NAME_MAX_LENGTH)],
        description="So that you can tell your passkeys apart: “Work laptop”, say.",
    )
    password = current_password_field()


class RemovePasskeyForm(AccountForm):
    form_prefix = "passkey-remove"
    passkey = SelectField("Passkey", choices=[], validate_choice=True)
    password = current_password_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passkey.choices = [
            (str(passkey["_id"]), passkey["name"]) for passkey in passkeys.of_user(current_user.id)
        ]
