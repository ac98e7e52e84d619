"""WTForms forms fed from a JSON object instead of form data.

WTForms coerces form data (always strings); JSON already has types, so these
fields take the decoded value as it is and reject the wrong type with a field
error (``{"$gt": ""}`` where a string belongs never reaches a query).
"""

from wtforms import Field, Form
from wtforms.validators import StopValidation

from backend.serialization import is_int64


class JSONForm(Form):
    """Base class for the add and edit forms of a :class:`BackboneResource`.

    Forms are validated inside the request, so validators can use
    ``flask.request`` and ``flask_login.current_user`` directly: Flask's
    equivalent of djangbone's ``set_request``.
    """

    @classmethod
    def from_json(cls, payload):
        """Bind ``payload``; a field missing from it (or null) takes its default."""
        return cls(data=payload)


class JSONField(Field):
    """A field holding one JSON value of the type that :meth:`accepts` allows."""

    type_message = "Has the wrong type."

    def accepts(self, value):
        raise NotImplementedError

    def process_data(self, value):
        self.data = self.default if value is None else value

    def pre_validate(self, form):
        if self.data is not None and not self.accepts(self.data):
            raise StopValidation(self.type_message)


class JSONStringField(JSONField):
    type_message = "Must be a string."

    def accepts(self, value):
        return isinstance(value, str) and _is_encodable(value)

    def __init__(self, label=None, validators=None, strip=True, **kwargs):
        filters = list(kwargs.pop("filters", ()))
        if strip:
            filters.insert(0, _strip)
        super().__init__(label, validators, filters=filters, **kwargs)


class JSONIntegerField(JSONField):
    type_message = "Must be a whole number."

    def accepts(self, value):
        return is_int64(value)


class JSONBooleanField(JSONField):
    type_message = "Must be true or false."

    def accepts(self, value):
        return isinstance(value, bool)


def _is_encodable(text):
    # JSON may carry lone surrogates ("\ud800"), which no database can store.
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _strip(value):
    return value.strip() if isinstance(value, str) else value
