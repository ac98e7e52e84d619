"""JSON for MongoDB documents, and JSON bodies no client can break the server with."""

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from bson import ObjectId

from backend.serialization import MongoJSONProvider, is_int64, isoformat_utc, utc_now


@pytest.fixture
def provider(app):
    return MongoJSONProvider(app)


def test_object_id_is_its_24_hex_string(provider):
    oid = ObjectId("6b041a4155fd2469f14e3088")

    assert json.loads(provider.dumps({"_id": oid})) == {"_id": "6b041a4155fd2469f14e3088"}


def test_utc_datetime_is_iso_8601_with_offset(provider):
    moment = datetime(2026, 11, 22, 14, 5, 9, 123000, tzinfo=UTC)

    assert json.loads(provider.dumps(moment)) == "2026-11-22T14:05:09.123000+00:00"


def test_naive_datetime_is_taken_as_utc(provider):
    moment = datetime(2026, 11, 22, 14, 5, 9, 123000)

    assert json.loads(provider.dumps([moment])) == ["2026-11-22T14:05:09.123000+00:00"]


def test_other_time_zones_are_converted_to_utc(provider):
    moment = datetime(2026, 11, 22, 16, 5, 9, tzinfo=timezone(timedelta(hours=2)))

    assert json.loads(provider.dumps(moment)) == "2026-11-22T14:05:09.000000+00:00"


def test_nested_documents_are_encoded_throughout(provider):
    oid = ObjectId()
    document = {"a": [{"b": oid, "when": datetime(2026, 1, 1, tzinfo=UTC)}], "n": 1}

    assert json.loads(provider.dumps(document)) == {
        "a": [{"b": str(oid), "when": "2026-01-01T00:00:00.000000+00:00"}],
        "n": 1,
    }


def test_key_order_is_kept(provider):
    assert provider.dumps({"b": 1, "a": 2}) == '{"b": 1, "a": 2}'


def test_flask_defaults_still_apply_to_other_types(provider):
    assert json.loads(provider.dumps(Decimal("1.5"))) == "1.5"
    assert json.loads(provider.dumps(date(2026, 1, 2))) == "Fri, 02 Jan 2026 00:00:00 GMT"


def test_unknown_types_are_refused(provider):
    with pytest.raises(TypeError):
        provider.dumps(object())


def test_isoformat_utc_keeps_microsecond_digits():
    assert isoformat_utc(datetime(2026, 1, 1, tzinfo=UTC)) == "2026-01-01T00:00:00.000000+00:00"


def test_utc_now_is_aware_and_at_millisecond_precision():
    now = utc_now()

    assert now.tzinfo is UTC
    assert now.microsecond % 1000 == 0
    assert abs(datetime.now(UTC) - now) < timedelta(seconds=1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, True), (-(2**63), True), (2**63 - 1, True), (2**63, False), (-(2**63) - 1, False),
     (True, False), (1.0, False), ("1", False), (None, False)],
)  # fmt: skip
def test_is_int64_accepts_only_whole_numbers_mongodb_can_store(value, expected):
    assert is_int64(value) is expected


def test_api_answers_encode_ids_and_timestamps(alice, db):
    widget = alice.post("/api/widgets", json={"name": "x"}).get_json()

    document = db.widgets.find_one()
    assert widget["_id"] == str(document["_id"])
    assert widget["created_at"] == isoformat_utc(document["created_at"])
    assert widget["created_at"].endswith("+00:00")


# Bodies -------------------------------------------------------------------


def post_raw(client, body):
    return client.post("/api/widgets", data=body, content_type="application/json")


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_answers_400_not_500(alice, depth):
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        response = post_raw(alice, body)
        assert response.status_code in (400, 413), response.status_code
        assert "error" in response.get_json()


def test_nesting_under_the_size_limit_answers_400(alice):
    depth = 30_000  # 60 KB: under the 64 KiB limit, far past Python's recursion limit
    response = post_raw(alice, '{"name": "x", "deep": ' + "[" * depth + "]" * depth + "}")

    assert response.status_code == 400
    assert "error" in response.get_json()


@pytest.mark.parametrize("field", ["name", "description"])
@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "x\\udc00y"])
def test_lone_surrogate_in_a_field_answers_400(alice, db, field, escape):
    body = {"name": "ok", field: "PLACEHOLDER"}
    response = post_raw(alice, json.dumps(body).replace("PLACEHOLDER", escape))

    assert response.status_code == 400
    assert list(response.get_json()["fields"]) == [field]
    assert db.widgets.count_documents({}) == 0


def test_lone_surrogate_in_an_ignored_key_is_harmless(alice):
    response = post_raw(alice, '{"name": "ok", "\\ud800": "\\udc00"}')

    assert response.status_code == 201


def test_a_proper_surrogate_pair_is_stored_and_returned(alice):
    response = post_raw(alice, '{"name": "rocket \\ud83d\\ude80"}')

    assert response.status_code == 201
    assert response.get_json()["name"] == "rocket \N{ROCKET}"


def test_non_ascii_and_nul_characters_round_trip(alice):
    name = "Zürich \u2028 東京 \x00 end"
    created = alice.post("/api/widgets", json={"name": name}).get_json()

    assert alice.get(f"/api/widgets/{created['_id']}").get_json()["name"] == name


@pytest.mark.parametrize("body", ['{"name": NaN}', '{"name": Infinity}', '{"name": 1e999}'])
def test_non_finite_numbers_are_type_errors(alice, body):
    response = post_raw(alice, body)

    assert response.status_code == 400
    assert "name" in response.get_json()["fields"]


def test_huge_integers_answer_400(alice):
    response = post_raw(alice, '{"name": "x", "version": ' + "9" * 5000 + "}")

    assert response.status_code == 400


def test_invalid_utf8_answers_400(alice):
    response = alice.client.post(
        "/api/widgets",
        data=b'{"name": "\xff\xfe"}',
        content_type="application/json",
        headers={"X-CSRFToken": alice.csrf_token},
    )

    assert response.status_code == 400
