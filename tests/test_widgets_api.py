"""The widgets JSON API, row by row and status by status, as the contract fixes it."""

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from bson import ObjectId

API = "/api/widgets"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000\+00:00$")
WIDGET_KEYS = {"_id", "name", "description", "created_at", "updated_at", "version"}
STORED_KEYS = WIDGET_KEYS | {"owner_id"}


def create(client, name="Sprocket", **fields):
    response = client.post(API, json={"name": name, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def url_of(widget):
    return f"{API}/{widget['_id']}"


def stored(db, widget):
    return db.widgets.find_one({"_id": ObjectId(widget["_id"])})


def user_id(db, client):
    return db.users.find_one({"email": client.email})["_id"]


def names(response):
    return [item["name"] for item in response.get_json()["items"]]


def assert_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body["error"], str) and body["error"]
    return body


# Create -------------------------------------------------------------------


def test_create_answers_201_with_location_and_the_widget(alice):
    response = alice.post(API, json={"name": "Sprocket", "description": "A toothed wheel"})

    assert response.status_code == 201
    widget = response.get_json()
    assert set(widget) == WIDGET_KEYS
    assert re.fullmatch(r"[0-9a-f]{24}", widget["_id"])
    assert widget["name"] == "Sprocket"
    assert widget["description"] == "A toothed wheel"
    assert widget["version"] == 1
    assert widget["created_at"] == widget["updated_at"]
    assert response.headers["Location"] == f"/api/widgets/{widget['_id']}"
    assert response.headers["ETag"] == '"1"'


def test_create_trims_the_name_and_defaults_the_description(alice):
    widget = create(alice, name="  Sprocket \n")

    assert widget["name"] == "Sprocket"
    assert widget["description"] == ""


def test_created_widget_is_stored_with_its_owner_and_nothing_else(alice, db):
    widget = create(alice, description="d")

    document = stored(db, widget)
    assert set(document) == STORED_KEYS
    assert document["owner_id"] == user_id(db, alice)
    assert document["name"] == "Sprocket"


def test_create_ignores_read_only_and_unknown_keys(alice, db):
    sent = {
        "_id": "000000000000000000000000",
        "name": "Sprocket",
        "created_at": "1999-01-01T00:00:00+00:00",
        "updated_at": "1999-01-01T00:00:00+00:00",
        "version": 99,
        "owner_id": "someone else",
        "password_hash": "x",
        "$set": {"name": "evil"},
        "color": "red",
    }
    response = alice.post(API, json=sent)

    assert response.status_code == 201, response.get_json()
    widget = response.get_json()
    assert widget["_id"] != sent["_id"]
    assert widget["version"] == 1
    assert not widget["created_at"].startswith("1999")
    document = stored(db, widget)
    assert set(document) == STORED_KEYS
    assert document["owner_id"] == user_id(db, alice)
    assert db.widgets.count_documents({}) == 1


def test_timestamps_are_utc_with_millisecond_precision(alice, db):
    before = datetime.now(UTC) - timedelta(seconds=1)
    widget = create(alice)

    for field in ("created_at", "updated_at"):
        assert TIMESTAMP.match(widget[field]), widget[field]
        moment = datetime.fromisoformat(widget[field])
        assert before <= moment <= datetime.now(UTC)
    assert stored(db, widget)["created_at"] == datetime.fromisoformat(widget["created_at"])


def test_the_answer_to_each_write_equals_a_later_read(alice):
    created = alice.post(API, json={"name": "A"})
    assert alice.get(url_of(created.get_json())).get_json() == created.get_json()

    widget = created.get_json()
    put = alice.put(url_of(widget), json={**widget, "name": "B"})
    assert alice.get(url_of(widget)).get_json() == put.get_json()

    patched = alice.patch(url_of(widget), json={"description": "C"})
    assert alice.get(url_of(widget)).get_json() == patched.get_json()
    assert alice.get(API).get_json()["items"] == [patched.get_json()]


# Read ---------------------------------------------------------------------


def test_get_answers_the_widget_with_an_etag(alice):
    widget = create(alice)

    response = alice.get(url_of(widget))

    assert response.status_code == 200
    assert response.get_json() == widget
    assert response.headers["ETag"] == '"1"'


def test_get_with_the_current_etag_in_if_none_match_answers_304(alice):
    widget = create(alice)
    etag = alice.get(url_of(widget)).headers["ETag"]

    response = alice.get(url_of(widget), headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.get_data() == b""


def test_get_with_an_outdated_etag_answers_the_new_widget(alice):
    widget = create(alice)
    alice.patch(url_of(widget), json={"name": "Changed"})

    response = alice.get(url_of(widget), headers={"If-None-Match": '"1"'})

    assert response.status_code == 200
    assert response.get_json()["name"] == "Changed"
    assert response.headers["ETag"] == '"2"'


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/{ObjectId()}",  # unknown
        f"{API}/not-an-id",
        f"{API}/{'z' * 24}",
        f"{API}/{'a' * 25}",
        f"{API}/{'a' * 23}",
    ],
)
def test_unknown_or_malformed_id_answers_404_json(alice, path):
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        assert_error(alice.request(method, path, json={"name": "x"}), 404)


def test_unknown_api_path_answers_404_json(alice):
    assert_error(alice.get("/api/nothing-here"), 404)


# List ---------------------------------------------------------------------


def test_list_answers_the_envelope_with_defaults(alice):
    widget = create(alice)

    response = alice.get(API)

    assert response.status_code == 200
    assert response.get_json() == {"items": [widget], "page": 1, "per_page": 20, "total": 1}


def test_list_of_a_new_user_is_empty(alice):
    assert alice.get(API).get_json() == {"items": [], "page": 1, "per_page": 20, "total": 0}


def test_list_defaults_to_newest_first(alice, db):
    owner = user_id(db, alice)
    now = datetime.now(UTC).replace(microsecond=0)
    db.widgets.insert_many(
        {"owner_id": owner, "name": name, "description": "", "version": 1,
         "created_at": now + timedelta(seconds=offset), "updated_at": now}
        for name, offset in (("old", 0), ("new", 20), ("middle", 10))
    )  # fmt: skip

    assert names(alice.get(API)) == ["new", "middle", "old"]


def test_list_pages_through_every_widget_once(alice):
    for number in range(5):
        create(alice, name=f"w{number}")

    pages = [alice.get(f"{API}?per_page=2&page={page}").get_json() for page in (1, 2, 3, 4)]

    assert [len(page["items"]) for page in pages] == [2, 2, 1, 0]
    assert all(page["total"] == 5 and page["per_page"] == 2 for page in pages)
    assert [page["page"] for page in pages] == [1, 2, 3, 4]
    seen = [item["name"] for page in pages for item in page["items"]]
    assert sorted(seen) == [f"w{number}" for number in range(5)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        # MongoDB compares strings bytewise (no collation): capitals first.
        ("name", ["Banana", "apple", "cherry"]),
        ("-name", ["cherry", "apple", "Banana"]),
        ("created_at", ["cherry", "apple", "Banana"]),
        ("-created_at", ["Banana", "apple", "cherry"]),
        ("updated_at", ["apple", "Banana", "cherry"]),
        ("-updated_at", ["cherry", "Banana", "apple"]),
    ],
)
def test_list_sorts_by_each_whitelisted_field_both_ways(alice, db, sort, expected):
    owner = user_id(db, alice)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [("cherry", 1, 3), ("apple", 2, 1), ("Banana", 3, 2)]
    db.widgets.insert_many(
        {"owner_id": owner, "name": name, "description": "", "version": 1,
         "created_at": base + timedelta(days=created), "updated_at": base + timedelta(days=updated)}
        for name, created, updated in rows
    )  # fmt: skip

    assert names(alice.get(f"{API}?sort={sort}")) == expected


def test_list_breaks_sort_ties_by_id_so_pages_never_repeat_or_skip(alice, db):
    owner = user_id(db, alice)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    ids = db.widgets.insert_many(
        {"owner_id": owner, "name": "same", "description": "", "version": 1,
         "created_at": moment, "updated_at": moment}
        for _ in range(7)
    ).inserted_ids  # fmt: skip

    for sort, ordered in (("created_at", sorted(ids)), ("-created_at", sorted(ids, reverse=True))):
        seen = []
        for page in (1, 2, 3):
            items = alice.get(f"{API}?sort={sort}&per_page=3&page={page}").get_json()["items"]
            seen += [ObjectId(item["_id"]) for item in items]
        assert seen == ordered, sort


def test_list_searches_names_case_insensitively(alice):
    for name in ("Red Sprocket", "blue sprocket", "Gear"):
        create(alice, name=name)

    response = alice.get(f"{API}?q=SPROCKET")

    assert sorted(names(response)) == ["Red Sprocket", "blue sprocket"]
    assert response.get_json()["total"] == 2


def test_list_search_folds_the_case_of_non_ascii_letters_too(alice):
    create(alice, name="Éclair")
    create(alice, name="eclair")

    assert names(alice.get(f"{API}?{urlencode({'q': 'éCL'})}")) == ["Éclair"]


LITERAL_SEARCHES = {
    ".*": ["a.*b"],
    "(": ["(paren"],
    "dot.com": ["Dot.Com"],
    "[x]": ["[x]"],
    "a+": ["a+"],
    "^": ["^caret"],
    "$": ["$dollar"],
    "\\": ["back\\slash"],
    "|": ["pi|pe"],
    "?": ["what?"],
    "{": ["{brace"],
    "\\d": [],
    "%": [],
}


def test_list_search_takes_regex_metacharacters_literally(alice):
    everything = ["a.*b", "axxb", "(paren", "Dot.Com", "DOTXCOM", "[x]", "x", "a+", "aa"]
    everything += ["^caret", "$dollar", "back\\slash", "pi|pe", "what?", "{brace", "7"]
    for name in everything:
        create(alice, name=name)

    for q, expected in LITERAL_SEARCHES.items():
        response = alice.get(f"{API}?{urlencode({'q': q})}")
        assert response.status_code == 200, response.get_json()
        assert names(response) == expected, q


def test_list_search_combines_with_paging_and_sorting(alice):
    for name in ("gear 3", "gear 1", "cog", "gear 2"):
        create(alice, name=name)

    response = alice.get(f"{API}?q=gear&sort=-name&per_page=2&page=1").get_json()

    assert [item["name"] for item in response["items"]] == ["gear 3", "gear 2"]
    assert response["total"] == 3


def test_empty_search_lists_everything(alice):
    create(alice, name="one")
    create(alice, name="two")

    assert alice.get(f"{API}?q=").get_json()["total"] == 2


def test_list_page_past_the_end_is_empty_with_the_total(alice):
    create(alice)

    body = alice.get(f"{API}?page=50").get_json()

    assert body["items"] == [] and body["total"] == 1 and body["page"] == 50


def test_list_accepts_the_bounds_of_per_page(alice):
    assert alice.get(f"{API}?per_page=1").get_json()["per_page"] == 1
    assert alice.get(f"{API}?per_page=100").get_json()["per_page"] == 100


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=1.5",
        "page=",
        "page=%EF%BC%91",  # a fullwidth digit one
        "page=1000001",
        "page=" + "1" * 5000,
        "per_page=0",
        "per_page=101",
        "per_page=ten",
        "per_page=" + "9" * 30,
        "sort=owner_id",
        "sort=password_hash",
        "sort=description",
        "sort=--name",
        "sort=-",
        "sort=",
        "sort=name%00",
        "q=" + "x" * 101,
    ],
)
def test_bad_list_parameters_answer_400(alice, query):
    assert_error(alice.get(f"{API}?{query}"), 400)


# Validation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": 5}, "name"),
        ({"name": True}, "name"),
        ({"name": ["a"]}, "name"),
        ({"name": {"$gt": ""}}, "name"),
        ({"name": {"$ne": None}}, "name"),
        ({"name": "ok", "description": "x" * 2001}, "description"),
        ({"name": "ok", "description": {"$gt": ""}}, "description"),
        ({"name": "ok", "description": 12}, "description"),
    ],
)
def test_invalid_widget_answers_400_with_field_errors_and_stores_nothing(alice, db, body, field):
    body = assert_error(alice.post(API, json=body), 400)

    assert list(body["fields"]) == [field]
    assert all(isinstance(message, str) for message in body["fields"][field])
    assert db.widgets.count_documents({}) == 0


def test_name_length_counts_after_trimming(alice):
    widget = create(alice, name="  " + "x" * 100 + "  ", description="y" * 2000)

    assert widget["name"] == "x" * 100
    assert len(widget["description"]) == 2000


def test_all_field_errors_are_reported_at_once(alice):
    body = assert_error(alice.post(API, json={"name": "", "description": 3}), 400)

    assert set(body["fields"]) == {"name", "description"}


@pytest.mark.parametrize("body", ["[]", '"name"', "null", "42", '[{"name": "x"}]'])
def test_body_that_is_not_an_object_answers_400(alice, body):
    response = alice.post(API, data=body, content_type="application/json")

    assert_error(response, 400)


@pytest.mark.parametrize("body", ["{", '{"name": }', "{'name': 'x'}", "", '{"name": "x"} x'])
def test_malformed_json_answers_400(alice, body):
    assert_error(alice.post(API, data=body, content_type="application/json"), 400)


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"name": "x"}', "text/plain"),
        ("name=x", "application/x-www-form-urlencoded"),
        ('{"name": "x"}', None),
    ],
)
def test_body_that_is_not_json_answers_415(alice, db, data, content_type):
    response = alice.post(API, data=data, content_type=content_type)

    assert_error(response, 415)
    assert db.widgets.count_documents({}) == 0


def test_put_that_is_not_json_answers_415(alice):
    widget = create(alice)

    assert_error(alice.put(url_of(widget), data="name=x", content_type="text/plain"), 415)


def test_body_over_64_kib_answers_413(alice, db):
    body = json.dumps({"name": "big", "padding": "x" * (64 * 1024)})

    assert_error(alice.post(API, data=body, content_type="application/json"), 413)
    assert db.widgets.count_documents({}) == 0


def test_body_just_under_64_kib_is_accepted_and_its_padding_not_stored(alice, db):
    body = json.dumps({"name": "big", "padding": "x" * (63 * 1024)})

    response = alice.post(API, data=body, content_type="application/json")

    assert response.status_code == 201
    assert "padding" not in stored(db, response.get_json())


# Update -----------------------------------------------------------------


def test_put_replaces_the_editable_fields_and_increments_the_version(alice):
    widget = create(alice, description="old")

    response = alice.put(url_of(widget), json={**widget, "name": " New ", "description": "new"})

    assert response.status_code == 200
    updated = response.get_json()
    assert updated["name"] == "New" and updated["description"] == "new"
    assert updated["version"] == 2
    assert updated["created_at"] == widget["created_at"]
    assert updated["updated_at"] >= widget["updated_at"]
    assert response.headers["ETag"] == '"2"'


def test_put_missing_optional_field_takes_its_default(alice):
    widget = create(alice, description="will be reset")

    response = alice.put(url_of(widget), json={"name": "Only name"})

    assert response.status_code == 200
    assert response.get_json()["description"] == ""


def test_put_missing_required_field_answers_400_and_changes_nothing(alice, db):
    widget = create(alice, description="keep")

    body = assert_error(alice.put(url_of(widget), json={"description": "other"}), 400)

    assert list(body["fields"]) == ["name"]
    assert stored(db, widget)["description"] == "keep"
    assert stored(db, widget)["version"] == 1


def test_put_ignores_read_only_and_unknown_keys(alice, bob, db):
    widget = create(alice)
    other = create(bob)
    sent = {
        "_id": other["_id"],
        "name": "Renamed",
        "created_at": "1999-01-01T00:00:00+00:00",
        "updated_at": "1999-01-01T00:00:00+00:00",
        "owner_id": str(user_id(db, bob)),
        "color": "red",
    }

    response = alice.put(url_of(widget), json=sent)

    assert response.status_code == 200, response.get_json()
    updated = response.get_json()
    assert updated["_id"] == widget["_id"]
    assert updated["created_at"] == widget["created_at"]
    assert not updated["updated_at"].startswith("1999")
    document = stored(db, widget)
    assert set(document) == STORED_KEYS
    assert document["owner_id"] == user_id(db, alice)
    assert stored(db, other)["name"] == other["name"]


def test_patch_changes_only_the_fields_sent(alice):
    widget = create(alice, name="Keep", description="old")

    first = alice.patch(url_of(widget), json={"description": "new"}).get_json()
    second = alice.patch(url_of(widget), json={"name": " Renamed "}).get_json()

    assert (first["name"], first["description"], first["version"]) == ("Keep", "new", 2)
    assert (second["name"], second["description"], second["version"]) == ("Renamed", "new", 3)


def test_patch_validates_only_the_fields_sent(alice, db):
    widget = create(alice, name="Keep")

    body = assert_error(alice.patch(url_of(widget), json={"name": "", "description": "ok"}), 400)

    assert list(body["fields"]) == ["name"]
    assert stored(db, widget)["name"] == "Keep"
    assert stored(db, widget)["description"] == ""


def test_patch_with_a_type_error_answers_400(alice):
    widget = create(alice)

    body = assert_error(alice.patch(url_of(widget), json={"description": {"$gt": ""}}), 400)

    assert list(body["fields"]) == ["description"]


def test_patch_ignores_read_only_and_unknown_keys(alice, db):
    widget = create(alice)

    response = alice.patch(url_of(widget), json={"created_at": "1999", "_id": "x", "color": 1})

    assert response.status_code == 200
    assert response.get_json()["created_at"] == widget["created_at"]
    assert set(stored(db, widget)) == STORED_KEYS


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_with_the_stored_version_succeeds(alice, method):
    widget = create(alice)

    response = alice.request(method, url_of(widget), json={"name": "B", "version": 1})

    assert response.status_code == 200
    assert response.get_json()["version"] == 2


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_with_a_stale_version_answers_409_with_the_current_widget(alice, db, method):
    widget = create(alice)
    current = alice.put(url_of(widget), json={"name": "Theirs"}).get_json()

    response = alice.request(method, url_of(widget), json={"name": "Mine", "version": 1})

    body = assert_error(response, 409)
    assert body["current"] == current
    assert stored(db, widget)["name"] == "Theirs"
    assert stored(db, widget)["version"] == 2


def test_update_with_a_version_of_the_wrong_type_answers_400(alice):
    widget = create(alice)

    for version in ("1", 1.5, True, [1], {"$gt": 0}, 2**64):
        body = assert_error(alice.put(url_of(widget), json={"name": "B", "version": version}), 400)
        assert "version" in body["fields"]


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_with_a_stale_if_match_answers_412_with_the_current_widget(alice, db, method):
    widget = create(alice)
    current = alice.patch(url_of(widget), json={"name": "Theirs"}).get_json()

    response = alice.request(
        method, url_of(widget), json={"name": "Mine"}, headers={"If-Match": '"1"'}
    )

    body = assert_error(response, 412)
    assert body["current"] == current
    assert stored(db, widget)["name"] == "Theirs"


@pytest.mark.parametrize("if_match", ['"1"', '"7", "1"', "*"])
def test_update_with_a_matching_if_match_succeeds(alice, if_match):
    widget = create(alice)

    response = alice.patch(url_of(widget), json={"name": "B"}, headers={"If-Match": if_match})

    assert response.status_code == 200
    assert response.get_json()["version"] == 2


@pytest.mark.parametrize(
    "if_match", ['W/"1"', '"01"', '"1.0"', '"²"', '" 1"', '"' + "9" * 30 + '"']
)
def test_if_match_compares_etags_strongly_and_exactly(alice, db, if_match):
    widget = create(alice)

    response = alice.patch(url_of(widget), json={"name": "B"}, headers={"If-Match": if_match})

    assert_error(response, 412)
    assert stored(db, widget)["version"] == 1


def test_if_match_mismatch_wins_over_a_version_mismatch(alice):
    widget = create(alice)
    alice.patch(url_of(widget), json={"name": "B"})

    response = alice.put(
        url_of(widget), json={"name": "C", "version": 1}, headers={"If-Match": '"1"'}
    )

    assert_error(response, 412)


def test_version_grows_by_one_on_each_change(alice):
    widget = create(alice)
    versions = [widget["version"]]
    for name in ("b", "c", "d"):
        versions.append(alice.put(url_of(widget), json={"name": name}).get_json()["version"])
        versions.append(alice.patch(url_of(widget), json={"name": name * 2}).get_json()["version"])

    assert versions == [1, 2, 3, 4, 5, 6, 7]


def test_an_update_via_etag_round_trip_works_as_backbone_does_it(alice):
    """Backbone sends the whole model back; the stored version makes it succeed."""
    widget = create(alice)
    fetched = alice.get(url_of(widget))

    response = alice.put(
        url_of(widget),
        json={**fetched.get_json(), "name": "Saved"},
        headers={"If-Match": fetched.headers["ETag"]},
    )

    assert response.status_code == 200
    assert response.get_json()["name"] == "Saved"


# Delete -------------------------------------------------------------------


def test_delete_answers_204_with_an_empty_body_and_removes_the_widget(alice, db):
    widget = create(alice)

    response = alice.delete(url_of(widget))

    assert response.status_code == 204
    assert response.get_data() == b""
    assert stored(db, widget) is None
    assert_error(alice.get(url_of(widget)), 404)
    assert_error(alice.delete(url_of(widget)), 404)


# Methods, login and CSRF ----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "item"), [("PUT", False), ("PATCH", False), ("DELETE", False), ("POST", True)]
)
def test_method_not_allowed_answers_405_json_with_allow(alice, method, item):
    widget = create(alice)
    path = url_of(widget) if item else API

    response = alice.request(method, path, json={"name": "x"})

    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    ("method", "item"),
    [
        ("GET", False),
        ("POST", False),
        ("GET", True),
        ("PUT", True),
        ("PATCH", True),
        ("DELETE", True),
    ],
)
def test_anonymous_requests_answer_401_json(client, alice, method, item):
    widget = create(alice)
    path = url_of(widget) if item else API

    response = client.open(path, method=method, json={"name": "x"})

    assert_error(response, 401)
    assert "Location" not in response.headers


def test_anonymous_list_answers_401_not_an_empty_list(client):
    assert_error(client.get(API), 401)


@pytest.mark.parametrize(
    ("method", "item"), [("POST", False), ("PUT", True), ("PATCH", True), ("DELETE", True)]
)
@pytest.mark.parametrize("token", [None, "wrong", "bob's"])
def test_unsafe_request_without_the_right_csrf_token_answers_403(
    alice, bob, db, method, item, token
):
    widget = create(alice)
    path = url_of(widget) if item else API
    headers = (
        {} if token is None else {"X-CSRFToken": bob.csrf_token if token == "bob's" else token}
    )

    response = alice.client.open(path, method=method, json={"name": "x"}, headers=headers)

    assert_error(response, 403)
    assert db.widgets.count_documents({}) == 1
    assert stored(db, widget)["version"] == 1


def test_safe_requests_need_no_csrf_token(alice):
    widget = create(alice)

    assert alice.client.get(API).status_code == 200
    assert alice.client.get(url_of(widget)).status_code == 200
    assert alice.client.head(url_of(widget)).status_code == 200


# Owners -------------------------------------------------------------------


def test_another_users_widget_does_not_exist_for_them(alice, bob, db):
    mine = create(alice, name="alice's")
    theirs = create(bob, name="bob's")

    for owner, other, widget in ((alice, bob, mine), (bob, alice, theirs)):
        assert names(other.get(API)) == [f"{other.email.split('@')[0]}'s"]
        assert_error(other.get(url_of(widget)), 404)
        assert_error(other.put(url_of(widget), json={"name": "stolen"}), 404)
        assert_error(other.patch(url_of(widget), json={"name": "stolen"}), 404)
        assert_error(other.delete(url_of(widget)), 404)
        assert owner.get(url_of(widget)).get_json() == widget
    assert {document["name"] for document in db.widgets.find()} == {"alice's", "bob's"}


def test_another_users_widget_answers_404_even_with_if_match_or_version(alice, bob):
    widget = create(alice)

    assert_error(bob.put(url_of(widget), json={"name": "x", "version": 1}), 404)
    assert_error(bob.patch(url_of(widget), json={"name": "x"}, headers={"If-Match": '"1"'}), 404)


def test_search_and_total_never_count_another_users_widgets(alice, bob):
    create(alice, name="gear")
    create(bob, name="gear")
    create(bob, name="gear two")

    body = alice.get(f"{API}?q=gear").get_json()

    assert body["total"] == 1 and len(body["items"]) == 1


def test_the_owner_is_never_sent(alice):
    widget = create(alice)

    assert "owner_id" not in widget
    assert "owner_id" not in alice.get(API).get_json()["items"][0]


# Nothing a client sends is a 500 ------------------------------------------------

ITEM = "{item}"
NASTY = [
    ("GET", f"{API}?page=%00", None, {}),
    ("GET", f"{API}?q=%00%ff%fe", None, {}),
    ("GET", f"{API}?q=" + "%28" * 100, None, {}),
    ("GET", f"{API}?q[$gt]=&sort[$ne]=1", None, {}),
    ("GET", f"{API}?per_page=1e3&page=0x10", None, {}),
    ("GET", f"{API}?sort=%C3%A9", None, {}),
    ("GET", f"{API}/%00", None, {}),
    ("GET", f"{API}/{'f' * 24}%00", None, {}),
    ("GET", ITEM, None, {"If-None-Match": '"' + "9" * 5000 + '"'}),
    ("GET", ITEM, None, {"If-None-Match": 'W/, ,"', "If-Modified-Since": "yesterday"}),
    ("GET", ITEM, None, {"Range": "bytes=-5,9999999999999999999-"}),
    ("PATCH", ITEM, {"name": "x"}, {"If-Match": '"' + "9" * 5000 + '"'}),
    ("PATCH", ITEM, {"name": "x"}, {"If-Match": '"\u00b2", "\u0661", "-1"'}),
    ("PATCH", ITEM, {"name": "x"}, {"If-Match": '"9223372036854775808"'}),
    ("PATCH", ITEM, {"name": "x"}, {"If-Match": '"unterminated'}),
    ("PUT", ITEM, {"name": "x", "version": -(2**63)}, {}),
    ("PUT", ITEM, {"name": "x", "version": None}, {"If-Match": ""}),
    ("PATCH", ITEM, {"version": 1.0}, {}),
    ("PATCH", ITEM, {"name": {"$where": "sleep(1000)"}}, {}),
    ("PATCH", ITEM, {"name": "x" * 100_000}, {}),
    ("POST", API, {"name": "x", "": 1, "$": 2, "a.b": 3, "\x00": 4}, {}),
    ("POST", API, {"name": "x"}, {"Content-Type": "application/json; charset=utf-32"}),
    ("POST", API, {"name": "x"}, {"Content-Type": "application/json; charset=bogus"}),
    ("POST", API, {"name": "x"}, {"Content-Encoding": "gzip"}),
    ("POST", API, None, {"Content-Type": "application/json"}),
    ("DELETE", ITEM, {"name": "x"}, {"If-Match": '"0"'}),
    ("OPTIONS", ITEM, None, {}),
    ("HEAD", API, None, {}),
    ("TRACE", API, None, {}),
    ("GET", "/api/", None, {}),
    ("GET", "/api/widgets/../users", None, {}),
]


@pytest.mark.parametrize(("method", "path", "body", "headers"), NASTY)
def test_no_client_input_yields_a_server_error(alice, method, path, body, headers):
    widget = create(alice)
    path = path.replace(ITEM, url_of(widget))

    response = alice.request(method, path, json=body, headers=headers)

    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400 and method != "HEAD":
        assert response.mimetype == "application/json"
        assert "error" in response.get_json()


def test_no_cookie_or_token_garbage_yields_a_server_error(alice, app):
    client = app.test_client()
    for cookie in ("garbage", "e30.abc.def", "." * 4000, "\u00e9"):
        client.set_cookie("session", cookie)
        for token in ("garbage", "\u00e9", "IjEi.abc.def", "x" * 5000):
            response = client.post(API, json={"name": "x"}, headers={"X-CSRFToken": token})
            assert response.status_code == 401, response.get_data(as_text=True)
            response = alice.post(API, json={"name": "x"}, headers={"X-CSRFToken": token})
            assert response.status_code == 403, response.get_data(as_text=True)
