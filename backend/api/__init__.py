"""Generic JSON API pieces: :class:`BackboneResource` and the forms it validates with."""

from backend.api.forms import JSONBooleanField, JSONForm, JSONIntegerField, JSONStringField
from backend.api.resource import BackboneResource

__all__ = [
    "BackboneResource",
    "JSONBooleanField",
    "JSONForm",
    "JSONIntegerField",
    "JSONStringField",
]
