"""Validation of widget bodies sent by the front end."""

from wtforms.validators import DataRequired, Length

from backend.api import JSONForm, JSONStringField

NAME_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 2000


class WidgetForm(JSONForm):
    name = JSONStringField(validators=[DataRequired(), Length(max=NAME_MAX_LENGTH)])
    description = JSONStringField(default="", validators=[Length(max=DESCRIPTION_MAX_LENGTH)])
