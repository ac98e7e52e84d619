"""Cursors (backend/api/keyset.py): whatever a client sends as ``after``,
decoding it gives a position or None, never an exception (which would be a 500).
The API suite (tests/test_resources_api.py) walks lists with them."""

import base64
import struct
from datetime import UTC, datetime

import bson
from bson import Int64, ObjectId
from hypothesis import given
from hypothesis import strategies as st

from backend.api.keyset import decode_cursor, encode_cursor


def b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_a_cursor_gives_back_its_position_with_the_value_typed():
    item = ObjectId()
    for value in ("Banana", "", 0, Int64(2**62), True, None, datetime(2026, 1, 2, 3, 4, 5, 6000)):
        position = decode_cursor(encode_cursor("-name", value, item))
        assert position == {"sort": "-name", "value": value, "_id": item}
        assert type(position["value"]) is type(value)


def test_a_timestamp_comes_back_as_the_same_moment():
    moment = datetime(2026, 11, 22, 14, 5, 9, 123000, tzinfo=UTC)
    value = decode_cursor(encode_cursor("created_at", moment, ObjectId()))["value"]
    assert value.replace(tzinfo=UTC) == moment


@given(st.binary(max_size=300))
def test_any_bytes_decode_to_nothing_or_a_position(data):
    position = decode_cursor(b64(data))
    assert position is None or set(position) == {"sort", "value", "_id"}


@given(st.text(max_size=300))
def test_any_text_decodes_to_nothing_or_a_position(text):
    position = decode_cursor(text)
    assert position is None or isinstance(position["_id"], ObjectId)


def test_a_date_no_calendar_holds_is_refused():
    # A BSON datetime of year 300,000: valid BSON that Python cannot represent.
    document = bson.encode({"sort": "created_at", "value": datetime(2026, 1, 1), "_id": ObjectId()})
    far = struct.pack("<q", 2**62)
    start = document.index(b"value\x00") + len(b"value\x00")
    tampered = document[:start] + far + document[start + 8 :]
    assert decode_cursor(b64(tampered)) is None
