"""What the parametrized API suite sends to a resource, made from its declaration.

tests/test_resources_api.py runs against every resource of
``tests.sample_app.RESOURCES``; this module turns each resource's declared
fields into request bodies, the values each kind of field must refuse and
accept, and values to sort by. A new kind of field adds its cases here, once;
a new resource needs nothing.
"""

from datetime import UTC, datetime, timedelta
from itertools import count

from bson import ObjectId

from backend.api import Checkbox, Line, Number
from backend.api.resource import MANAGED_FIELDS
from backend.serialization import INT64_MAX, INT64_MIN

# Objects where a plain value belongs: a query operator must never reach a query.
OPERATORS = [{"$gt": ""}, {"$ne": None}, {"$where": "sleep(1000)"}]
# Values with ties, so that sorting must fall back on _id (indexes into sample values).
SORT_RANKS = [2, 0, 1, 0, 2]
SORT_WORDS = ["cherry", "Banana", "apple", "Banana", "cherry"]


class Case:
    """One resource, seen from its HTTP API."""

    def __init__(self, resource):
        self.resource = resource
        self.name = resource.name
        self.api = f"/api/{resource.name}"
        self.collection = resource.collection
        self.fields = resource.fields
        self.owner_field = resource.owner_field
        self.search_field = resource.search_field
        self.sort_fields = resource.sort_fields
        self.keys = {"_id", *self.fields, *MANAGED_FIELDS}
        self.stored_keys = self.keys | ({self.owner_field} if self.owner_field else set())
        self.required = [name for name, field in self.fields.items() if field.required]
        self.optional = [name for name, field in self.fields.items() if not field.required]

    def __repr__(self):
        return f"Case({self.resource.__name__})"

    def url(self, document):
        return f"{self.api}/{document['_id']}"

    def body(self, number=1):
        """A valid body giving every field a value of its own (none its default)."""
        return {name: value(field, number) for name, field in self.fields.items()}

    def required_body(self, number=1):
        """A valid body with only the required fields."""
        return {name: value(self.fields[name], number) for name in self.required}

    def changed(self, document):
        """A valid body giving every field another value than ``document``'s."""
        return {name: other(field, document[name]) for name, field in self.fields.items()}

    def create(self, client, number=1, **fields):
        response = client.post(self.api, json={**self.body(number), **fields})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def stored(self, db, document):
        return db[self.collection].find_one({"_id": ObjectId(document["_id"])})

    def count(self, db):
        return db[self.collection].count_documents({})

    def sort_values(self, name):
        """Values of ``name`` with ties, valid for its field, to sort documents by."""
        if name in ("created_at", "updated_at"):
            start = datetime(2026, 1, 1, tzinfo=UTC)
            return [start + timedelta(days=rank) for rank in SORT_RANKS]
        field = self.fields[name]
        if isinstance(field, Line):
            return [word[: field.max_length] for word in SORT_WORDS]
        return [field.sample(rank) for rank in SORT_RANKS]


def value(field, number):
    """The first sample value from ``number`` on that is not the field's default."""
    return next(sample for sample in map(field.sample, count(number)) if sample != field.default)


def other(field, current):
    """A valid value of ``field`` other than ``current``."""
    return next(sample for sample in map(field.sample, count()) if sample != current)


def refused_values(field):
    """Values ``field`` must answer 400 for: past its limits, or of the wrong type."""
    if isinstance(field, Line):
        refused = ["x" * (field.max_length + 1), 5, True, ["a"], *OPERATORS]
        if field.required:
            refused += ["", "   ", None]
        if field.min_length > 1:
            refused.append(" " + "x" * (field.min_length - 1) + " ")  # counted trimmed
        refused.append("\ud800")  # a lone surrogate: no database can store it
        return refused
    if isinstance(field, Number):
        refused = ["12", 1.5, True, INT64_MAX + 1, INT64_MIN - 1, [1], *OPERATORS]
        if field.minimum is not None:
            refused.append(field.minimum - 1)
        if field.maximum is not None:
            refused.append(field.maximum + 1)
        return refused
    if isinstance(field, Checkbox):
        return ["yes", "true", 1, 0, [True], *OPERATORS]
    raise TypeError(f"No refused values for a {type(field).__name__}: add them here.")


def accepted_values(field):
    """(sent, stored) pairs ``field`` must accept: its limits, trimming, null."""
    accepted = [] if field.required else [(None, field.default)]
    if isinstance(field, Line):
        longest = "x" * field.max_length
        inner = "a b".ljust(field.min_length, "c")  # spaces inside are kept
        return [*accepted, (f"  {longest} \n", longest), (f" {inner} ", inner)]
    if isinstance(field, Number):
        low = INT64_MIN if field.minimum is None else field.minimum
        high = INT64_MAX if field.maximum is None else field.maximum
        return [*accepted, (low, low), (high, high)]
    if isinstance(field, Checkbox):
        return [*accepted, (True, True), (False, False)]
    raise TypeError(f"No accepted values for a {type(field).__name__}: add them here.")
