"""JSON for MongoDB documents: ObjectId as its hex string, datetimes in ISO 8601 UTC."""

from datetime import UTC, datetime

from bson import ObjectId
from flask.json.provider import DefaultJSONProvider


class MongoJSONProvider(DefaultJSONProvider):
    # Flask's default sorts keys; a document's own field order reads better.
    sort_keys = False

    @staticmethod
    def default(o):
        if isinstance(o, ObjectId):
            return str(o)
        if isinstance(o, datetime):
            return isoformat_utc(o)
        return DefaultJSONProvider.default(o)

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # A ValueError is what Flask turns into a 400 for malformed JSON.
            raise ValueError("The JSON is nested too deeply.") from None


def isoformat_utc(moment):
    """``2026-11-22T14:05:09.123000+00:00``; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def utc_now():
    """Now, at the millisecond precision MongoDB stores, so a write's answer equals a later read."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def is_int64(value):
    """True for a JSON whole number that MongoDB can store (not a bool)."""
    return type(value) is int and INT64_MIN <= value <= INT64_MAX
