"""A catalogue of bad input to every endpoint: each gets a clean 4xx JSON answer
and leaves the database exactly as it was."""

import json

import pytest

from backend.settings import MAX_REQUEST_BYTES

ITEM = "/api/widgets/{id}"
MISSING = "/api/widgets/0123456789abcdef01234567"
OPERATORS = [{"$gt": ""}, {"$ne": None}, {"$where": "sleep(1000)"}, {"$regex": ".*"}]


def body(value):
    return {"data": json.dumps(value), "content_type": "application/json"}


def raw(text, content_type="application/json"):
    return {"data": text, "content_type": content_type}


CATALOGUE = [
    # Query operators where a string or a number belongs.
    *[("POST", "/api/widgets", body({"name": op}), 400) for op in OPERATORS],
    *[("POST", "/api/widgets", body({"name": "ok", "description": op}), 400) for op in OPERATORS],
    *[("PUT", ITEM, body({"name": op}), 400) for op in OPERATORS],
    *[("PATCH", ITEM, body({"description": op}), 400) for op in OPERATORS],
    *[("PUT", ITEM, body({"name": "ok", "version": op}), 400) for op in OPERATORS],
    ("PATCH", ITEM, body({"$set": {"owner_id": None}}), 200),  # unknown key: ignored
    # Wrong types.
    *[
        ("POST", "/api/widgets", body({"name": value}), 400)
        for value in (None, 5, 1.5, True, [], ["a"], "", "   ")
    ],
    *[
        ("PUT", ITEM, body({"name": "ok", "version": value}), 400)
        for value in ("1", 1.5, 1.0, True, [1], 2**64, -(2**64))
    ],
    ("PATCH", ITEM, body({"name": None}), 400),
    ("POST", "/api/widgets", body({"name": "x" * 101}), 400),
    ("POST", "/api/widgets", body({"name": "ok", "description": "x" * 2001}), 400),
    ("POST", "/api/widgets", raw('{"name": "\\ud800"}'), 400),  # lone surrogate
    # Not an object, not JSON, not a body.
    *[("POST", "/api/widgets", body(value), 400) for value in ([], [{"name": "a"}], "a", 1, None)],
    *[("PUT", ITEM, body(value), 400) for value in ([], "a", None)],
    ("POST", "/api/widgets", raw(""), 400),
    ("POST", "/api/widgets", raw("{"), 400),
    ("POST", "/api/widgets", raw("{'name': 'a'}"), 400),
    ("POST", "/api/widgets", raw("NaN"), 400),
    ("POST", "/api/widgets", raw("[" * 30_000 + "]" * 30_000), 400),
    ("PATCH", ITEM, raw("\xff\xfe"), 400),
    ("POST", "/api/widgets", raw('{"name": "a"}', "text/plain"), 415),
    ("POST", "/api/widgets", {"data": {"name": "a"}}, 415),  # a form
    ("PUT", ITEM, {}, 415),  # no body at all
    # Huge bodies.
    ("POST", "/api/widgets", body({"name": "a", "pad": "x" * MAX_REQUEST_BYTES}), 413),
    ("PUT", ITEM, body({"name": "a", "pad": "x" * MAX_REQUEST_BYTES}), 413),
    # Bad list parameters.
    *[
        ("GET", f"/api/widgets?{query}", {}, 400)
        for query in (
            "page=0",
            "page=-1",
            "page=abc",
            "page=1e3",
            "page=%EF%BC%91",  # a full-width digit
            "page=99999999999999999999999",
            "per_page=0",
            "per_page=101",
            "sort=owner_id",
            "sort=-password_hash",
            "sort=%24natural",
            "q=" + "a" * 101,
        )
    ],
    # Invalid and unknown ids.
    *[
        ("GET", f"/api/widgets/{widget_id}", {}, 404)
        for widget_id in (
            "zzz",
            "0123456789abcdef0123456",
            "%7B%22%24ne%22%3Anull%7D",
            "..%2Fusers",
        )
    ],
    ("GET", MISSING, {}, 404),
    ("PUT", MISSING, body({"name": "a"}), 404),
    ("PATCH", MISSING, body({"name": "a"}), 404),
    ("DELETE", MISSING, {}, 404),
    # Methods the endpoints do not have.
    *[("PUT", "/api/widgets", body({"name": "a"}), 405), ("DELETE", "/api/widgets", {}, 405)],
    *[("POST", ITEM, body({"name": "a"}), 405), ("TRACE", ITEM, {}, 405)],
    ("PROPFIND", "/api/widgets", {}, 405),
    ("POST", "/api/openapi.json", body({}), 405),
    # Stale or malformed preconditions.
    ("PUT", ITEM, body({"name": "a", "version": 7}), 409),
    *[
        ("PATCH", ITEM, {**body({"name": "a"}), "headers": {"If-Match": tag}}, 412)
        for tag in ('"7"', "W/1", '""', '"", W/""', '"99999999999999999999999"')
    ],
]


@pytest.fixture
def widget_path(alice):
    widget = alice.post("/api/widgets", json={"name": "Mine", "description": "Keep"}).get_json()
    return f"/api/widgets/{widget['_id']}"


def snapshot(db):
    return {name: list(db[name].find()) for name in sorted(db.list_collection_names())}


def test_bad_input_gets_a_clean_answer_and_changes_nothing(alice, db, widget_path, subtests):
    for method, path, options, status in CATALOGUE:
        with subtests.test(f"{method} {path} {str(options)[:80]}"):
            before = snapshot(db)
            response = alice.request(method, path.replace(ITEM, widget_path), **options)
            assert response.status_code == status, response.get_data(as_text=True)[:300]
            assert response.mimetype == "application/json"
            after = snapshot(db)
            if status < 400:  # a harmless write: only its bookkeeping changes
                for document in before["widgets"] + after["widgets"]:
                    del document["updated_at"], document["version"]
            else:
                assert isinstance(response.get_json()["error"], str)
            assert after == before


@pytest.mark.parametrize(
    "query",
    [
        'q={"$ne":null}',
        "q=.*",
        "q=%00",
        "q=^M",
        "q[$ne]=x",
        "page[$gt]=0",
        "sort[$ne]=1",
        "owner_id=x",
    ],
)
def test_operators_in_the_query_string_are_taken_literally(alice, bob, query):
    bob.post("/api/widgets", json={"name": "Bob's"})
    alice.post("/api/widgets", json={"name": "Mine"})
    response = alice.get(f"/api/widgets?{query}")
    assert response.status_code == 200
    names = [w["name"] for w in response.get_json()["items"]]
    assert "Bob's" not in names
    assert names in ([], ["Mine"])


def test_without_login_or_csrf_token_nothing_changes(app, alice, db, widget_path):
    before = snapshot(db)
    anonymous = app.test_client()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        path = "/api/widgets" if method == "POST" else widget_path
        assert anonymous.open(path, method=method, json={"name": "x"}).status_code == 401
        forged = alice.client.open(path, method=method, json={"name": "x"})  # no X-CSRFToken
        assert forged.status_code == 403
        assert "error" in forged.get_json()
        wrong = alice.request(method, path, json={"name": "x"}, headers={"X-CSRFToken": "forged"})
        assert wrong.status_code == 403
    assert snapshot(db) == before
