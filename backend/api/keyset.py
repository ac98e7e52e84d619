"""Keyset paging: a list continued "after this item" instead of skipping pages.

A cursor names the last item of a page by what the list is sorted by: the sort
(``-name``), that item's value of the sort field and its ``_id``. The next page
is then a range query, which the index ``(owner, field, _id)`` answers by
seeking to the item, so a deep page costs what the first does (``skip`` reads,
and throws away, every item before the page). The cursor carries its position
itself, so following it needs no lookup; it is BSON, so the value keeps its
type (a date stays a date), in URL-safe base64. It is opaque to clients, not
secret: it holds a value the client has just been sent.
"""

import base64
import re

import bson
from bson import ObjectId
from bson.errors import BSONError

# Far more than a cursor of a 100-character name in any script needs, and
# within the 4094-byte request line that gunicorn accepts.
MAX_CURSOR_LENGTH = 2048
CURSOR = re.compile(r"[A-Za-z0-9_-]+")
CURSOR_KEYS = frozenset({"sort", "value", "_id"})


def encode_cursor(sort, value, item_id):
    """The cursor of the item ``item_id`` whose sort field holds ``value``, in ``sort``."""
    data = bson.encode({"sort": sort, "value": value, "_id": item_id})
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_cursor(text):
    """``{"sort", "value", "_id"}`` from a cursor, or None if ``text`` is none that
    :func:`encode_cursor` made (malformed, truncated, tampered with)."""
    if len(text) > MAX_CURSOR_LENGTH or not CURSOR.fullmatch(text):
        return None
    try:
        position = bson.decode(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, BSONError):  # binascii.Error is a ValueError
        return None
    if set(position) != CURSOR_KEYS or not isinstance(position["sort"], str):
        return None
    return position if isinstance(position["_id"], ObjectId) else None


def after_query(field, direction, value, item_id):
    """The filter of the items after (``field``: ``value``, ``_id``: ``item_id``)
    in the sort ``[(field, direction), ("_id", direction)]``, as alternatives.

    MongoDB sorts null and a missing field (a field added to a resource after
    some documents were stored) below every value, and its ``$lt``/``$gt``
    compare values of the same type only, so null needs branches of its own.
    """
    beyond = "$gt" if direction > 0 else "$lt"
    # Ties on the value: those after the item by _id.
    branches = [{field: value, "_id": {beyond: item_id}}]
    if value is None:
        if direction > 0:
            branches.append({field: {"$ne": None}})  # every value sorts after null
    else:
        branches.append({field: {beyond: value}})
        if direction < 0:
            branches.append({field: None})  # null and missing come last, descending
    return branches
