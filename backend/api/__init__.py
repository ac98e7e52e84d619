"""Generic JSON API pieces: :class:`BackboneResource`, the fields it is declared
with, and the forms it validates with."""

from backend.api.fields import Checkbox, Field, Line, Number, Text
from backend.api.forms import JSONBooleanField, JSONForm, JSONIntegerField, JSONStringField
from backend.api.resource import BackboneResource

__all__ = [
    "BackboneResource",
    "Checkbox",
    "Field",
    "JSONBooleanField",
    "JSONForm",
    "JSONIntegerField",
    "JSONStringField",
    "Line",
    "Number",
    "Text",
]
