"""Server-rendered account forms (Flask-WTF, CSRF-protected)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 1024
EMAIL_MAX_LENGTH = 254


def email_field(label="Email"):
    return EmailField(
        label,
        validators=[
            DataRequired(),
            Length(max=EMAIL_MAX_LENGTH),
            Email(check_deliverability=False, message="Enter a valid email address."),
        ],
    )


def new_password_fields(label="Password"):
    """A new password and its confirmation: ``password, confirm = new_password_fields()``."""
    password = PasswordField(
        label,
        validators=[DataRequired(), Length(min=PASSWORD_MIN_LENGTH, max=PASSWORD_MAX_LENGTH)],
        description=f"At least {PASSWORD_MIN_LENGTH} characters.",
    )
    confirm = PasswordField(
        f"Confirm {label.lower()}",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    return password, confirm


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=EMAIL_MAX_LENGTH)])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)]
    )
    next = HiddenField()


class RegisterForm(FlaskForm):
    email = email_field()
    password, confirm = new_password_fields()
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields("New password")
