"""The fields a resource declares: one object says everything about a field.

Each field gives, from the same few keywords, the WTForms field that validates
it (:meth:`Field.form_field`), its JSON Schema for the OpenAPI document
(:meth:`Field.schema`) and its description for the front end, which renders its
control from it (:meth:`Field.describe`)::

    fields = {
        "name": Line(required=True, max_length=100),
        "notes": Text(label="Notes", help="Only you can see them."),
        "stars": Number(minimum=0, maximum=5),
        "done": Checkbox(),
    }
"""

from bson import Int64
from wtforms.validators import DataRequired, Length, NumberRange

from backend.api.forms import JSONBooleanField, JSONIntegerField, JSONStringField
from backend.serialization import INT64_MAX, INT64_MIN

# A required string must keep a character once trimmed. Python's strip()
# removes what str.isspace() says (no character past U+3000 is one), which is
# not what \s means in a JSON Schema pattern: spelt out, so the two agree.
PYTHON_SPACES = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
NOT_BLANK = "[^" + "".join(f"\\u{ord(space):04x}" for space in PYTHON_SPACES) + "]"


class Field:
    """A field of a resource; subclasses say its JSON type and its control."""

    #: JSON Schema type of the stored value.
    type = None
    #: The Python types a stored value has, as BSON decodes it (a cursor's are checked against them).
    python_types = frozenset()
    #: How the front end shows it: "line", "textarea", "number" or "checkbox".
    widget = None
    empty = None

    def __init__(self, label=None, required=False, default=None, help=None):
        self.name = None  # set by the resource that declares the field
        self.label = label
        self.required = required
        self.default = self.empty if default is None else default
        self.help = help

    def bind(self, name):
        """Called once the resource knows the field's name."""
        self.name = name
        if self.label is None:
            self.label = name.replace("_", " ").capitalize()
        return self

    def form_field(self):
        raise NotImplementedError

    def sample(self, number):
        """A valid value, different for each ``number``: demo data and tests."""
        raise NotImplementedError

    def schema(self):
        """The JSON Schema of the stored value (what responses carry)."""
        return {"type": self.type}

    def input_schema(self):
        """The JSON Schema of the value a request may send; null takes the default."""
        schema = self.schema()
        if not self.required:
            schema = {**schema, "type": [self.type, "null"], "default": self.default}
        if self.help:
            schema["description"] = self.help
        return schema

    def describe(self):
        """What the front end needs to render and check the field's control."""
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "widget": self.widget,
            "required": self.required,
            "default": self.default,
            "help": self.help,
        }


class Line(Field):
    """A string on one line: a text input. Trimmed; ``required`` means not blank."""

    type = "string"
    python_types = frozenset({str})
    widget = "line"
    empty = ""
    default_max_length = 100

    def __init__(self, max_length=None, min_length=0, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length or self.default_max_length
        self.min_length = min_length

    def form_field(self):
        length = Length(min=self.min_length, max=self.max_length)
        if self.required:
            return JSONStringField(self.label, [DataRequired(), length], default=self.default)
        # Optional: blank is allowed whatever the minimum length.
        return JSONStringField(self.label, [unless_blank(length)], default=self.default)

    def sample(self, number):
        text = f"{self.label} {number}"
        return text.ljust(self.min_length, ".")[: self.max_length]

    def schema(self):
        schema = {"type": "string", "maxLength": self.max_length}
        if self.required:
            # Trimmed before it is checked: at least one character that is not a space.
            schema.update(minLength=max(self.min_length, 1), pattern=NOT_BLANK)
        elif self.min_length:
            schema["anyOf"] = [{"maxLength": 0}, {"minLength": self.min_length}]
        return schema

    def describe(self):
        return {**super().describe(), "max_length": self.max_length, "min_length": self.min_length}


class Text(Line):
    """A longer string: a text area."""

    widget = "textarea"
    default_max_length = 2000


class Number(Field):
    """A whole number: a number input, optionally between ``minimum`` and ``maximum``."""

    type = "integer"
    python_types = frozenset({int, Int64})
    widget = "number"
    empty = 0

    def __init__(self, minimum=None, maximum=None, **kwargs):
        refuse_required(self, kwargs)
        super().__init__(**kwargs)
        self.minimum = minimum
        self.maximum = maximum

    def form_field(self):
        validators = []
        if self.minimum is not None or self.maximum is not None:
            validators.append(NumberRange(min=self.minimum, max=self.maximum))
        return JSONIntegerField(self.label, validators, default=self.default)

    def sample(self, number):
        low = self.minimum if self.minimum is not None else min(0, self.maximum or 0)
        high = low + number if self.maximum is None else self.maximum
        return low + number % (high - low + 1)

    def schema(self):
        return {
            "type": "integer",
            "minimum": INT64_MIN if self.minimum is None else self.minimum,
            "maximum": INT64_MAX if self.maximum is None else self.maximum,
        }

    def describe(self):
        return {**super().describe(), "minimum": self.minimum, "maximum": self.maximum}


class Checkbox(Field):
    """True or false: a checkbox."""

    type = "boolean"
    python_types = frozenset({bool})
    widget = "checkbox"
    empty = False

    def __init__(self, **kwargs):
        refuse_required(self, kwargs)
        super().__init__(**kwargs)

    def form_field(self):
        return JSONBooleanField(self.label, default=self.default)

    def sample(self, number):
        return number % 2 == 0


def unless_blank(validator):
    """``validator``, run only on a value that is not blank."""

    def validate(form, field):
        if field.data:
            validator(form, field)

    return validate


def refuse_required(field, kwargs):
    # A missing number or checkbox takes its default, as a blank string does
    # not: "required" would promise a check that cannot tell the two apart.
    if kwargs.get("required"):
        raise TypeError(
            f"{type(field).__name__} fields always have a value (their default, "
            f"{kwargs.get('default', field.empty)!r}): they cannot be required."
        )
