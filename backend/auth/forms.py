"""Server-rendered account forms (Flask-WTF, CSRF-protected)."""

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError
from zxcvbn import zxcvbn

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128  # a new password; never truncated (see models._prehash)
# What the login form takes: passwords chosen before today's rules included.
LOGIN_PASSWORD_MAX_LENGTH = 1024
# zxcvbn's scores run 0-4; 3 is "safely unguessable: moderate protection from
# offline slow-hash scenario", which bcrypt is.
PASSWORD_MIN_SCORE = 3
ZXCVBN_MAX_LENGTH = 72
EMAIL_MAX_LENGTH = 254
TOO_WEAK = "This password is too easy to guess."


def password_problems(password, email=""):
    """Why ``password`` is too weak, as zxcvbn says (checked against the user's email
    and the app's name): an empty list when it is strong enough."""
    inputs = [current_app.config["APP_NAME"]]
    if email:
        inputs += [email, *email.split("@")]
    # zxcvbn judges at most 72 characters (its matching is quadratic); what
    # follows only adds strength, and the hash takes the password whole.
    result = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=inputs)
    if result["score"] >= PASSWORD_MIN_SCORE:
        return []
    feedback = result["feedback"]
    return [TOO_WEAK, *filter(None, [feedback["warning"], *feedback["suggestions"]])]


class StrongPassword:
    """zxcvbn's verdict; the email comes from the form's ``email_field`` or the user."""

    def __init__(self, email=lambda form: ""):
        self.email = email

    def __call__(self, form, field):
        if problems := password_problems(field.data or "", self.email(form) or ""):
            raise ValidationError(" ".join(problems))


def email_field(label="Email"):
    return EmailField(
        label,
        validators=[
            DataRequired(),
            Length(max=EMAIL_MAX_LENGTH),
            Email(check_deliverability=False, message="Enter a valid email address."),
        ],
    )


def new_password_fields(label="Password", email=lambda form: ""):
    """A new password and its confirmation: ``password, confirm = new_password_fields()``.
    ``email(form)`` is the account's email, which the password must not resemble."""
    password = PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=f"Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.",
            ),
            StrongPassword(email),
        ],
        description=f"{PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters, hard to guess: "
        "a few uncommon words work well.",
    )
    confirm = PasswordField(
        f"Confirm {label.lower()}",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=EMAIL_MAX_LENGTH)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=LOGIN_PASSWORD_MAX_LENGTH)]
    )
    next = HiddenField()


class RegisterForm(FlaskForm):
    email = email_field()
    password, confirm = new_password_fields(email=lambda form: form.email.data)
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResendVerificationForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    """``ResetPasswordForm(email=...)``: the email of the account being reset."""

    password, confirm = new_password_fields("New password", email=lambda form: form.account_email)

    def __init__(self, *args, account_email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ConfirmForm(FlaskForm):
    """A button: emailed links act on a POST, never on the GET a mail scanner makes."""


CODE_MAX_LENGTH = 32


def code_field(label="Code"):
    return StringField(
        label,
        validators=[DataRequired(), Length(max=CODE_MAX_LENGTH)],
        description="The 6 digits your authenticator app shows, or one of your recovery codes.",
    )


class SecondStepForm(FlaskForm):
    """The second step of a login: a TOTP code or a recovery code."""

    code = code_field()
