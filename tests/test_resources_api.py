"""The JSON API of every resource, row by row and status by status, as the contract
fixes it for widgets.

Each test runs once per resource of ``tests.sample_app.RESOURCES`` (the registered
ones and the tests' own Tasks), with bodies made from its declared fields by
tests/resource_cases.py: a resource someone registers later is tested here
without a test of its own.
"""

import base64
import json
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import bson
import pytest
from bson import ObjectId
from pymongo import monitoring

from backend.api.keyset import encode_cursor
from backend.api.resource import MANAGED_FIELDS
from tests.resource_cases import Case, accepted_values, refused_values
from tests.sample_app import RESOURCES

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000\+00:00$")
SEARCHABLE = [pytest.param(Case(r), id=r.name) for r in RESOURCES if r.search_field]
OWNED = [pytest.param(Case(r), id=r.name) for r in RESOURCES if r.owner_field]
# (resource, name) of each declared field, and of each sort field.
FIELDS = [
    pytest.param(Case(r), name, id=f"{r.name}-{name}") for r in RESOURCES for name in r.fields
]
SORTS = [
    pytest.param(Case(r), name, id=f"{r.name}-{name}") for r in RESOURCES for name in r.sort_fields
]


@pytest.fixture(params=[pytest.param(Case(r), id=r.name) for r in RESOURCES])
def resource(request):
    """Each resource in turn; tests parametrized with pairs (or only the owned or
    searchable resources) name their ``resource`` themselves."""
    return request.param


def user_id(db, client):
    return db.users.find_one({"email": client.email})["_id"]


def ids(response):
    return [item["_id"] for item in response.get_json()["items"]]


def assert_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert isinstance(body["error"], str) and body["error"]
    return body


def set_stored(db, resource, document, **values):
    """Change a stored document behind the API's back (timestamps, sort values)."""
    db[resource.collection].update_one({"_id": ObjectId(document["_id"])}, {"$set": values})


# Create -------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_document(alice, resource):
    sent = resource.body()

    response = alice.post(resource.api, json=sent)

    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert list(document) == ["_id", *resource.fields, *MANAGED_FIELDS]
    assert re.fullmatch(r"[0-9a-f]{24}", document["_id"])
    assert {name: document[name] for name in resource.fields} == sent
    assert document["version"] == 1
    assert document["created_at"] == document["updated_at"]
    assert response.headers["Location"] == resource.url(document)
    assert response.headers["ETag"] == '"1"'


def test_the_location_of_a_new_item_keeps_the_prefix_the_app_is_mounted_at(alice, resource):
    # Mounted under /app by a proxy or a WSGI dispatcher: the server says so in SCRIPT_NAME.
    mounted = {"SCRIPT_NAME": "/app"}

    response = alice.post(resource.api, json=resource.body(), environ_overrides=mounted)

    assert response.status_code == 201, response.get_json()
    assert response.headers["Location"] == f"/app{resource.url(response.get_json())}"


def test_create_with_only_the_required_fields_gives_the_others_their_default(alice, resource):
    response = alice.post(resource.api, json=resource.required_body())

    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    for name in resource.optional:
        assert document[name] == resource.fields[name].default, name


def test_create_ignores_read_only_and_unknown_keys(alice, db, resource):
    sent = {
        **resource.body(),
        "_id": "000000000000000000000000",
        "created_at": "1999-01-01T00:00:00+00:00",
        "updated_at": "1999-01-01T00:00:00+00:00",
        "version": 99,
        "password_hash": "x",
        "$set": {"version": 0},
        "color": "red",
    }

    response = alice.post(resource.api, json=sent)

    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert document["_id"] != sent["_id"]
    assert document["version"] == 1
    assert not document["created_at"].startswith("1999")
    assert set(resource.stored(db, document)) == resource.stored_keys
    assert resource.count(db) == 1


def test_timestamps_are_utc_with_millisecond_precision(alice, db, resource):
    before = datetime.now(UTC) - timedelta(seconds=1)
    document = resource.create(alice)

    for field in ("created_at", "updated_at"):
        assert TIMESTAMP.match(document[field]), document[field]
        assert before <= datetime.fromisoformat(document[field]) <= datetime.now(UTC)
    stored = resource.stored(db, document)
    assert stored["created_at"] == datetime.fromisoformat(document["created_at"])


def test_the_answer_to_each_write_equals_a_later_read(alice, resource):
    created = resource.create(alice)
    assert alice.get(resource.url(created)).get_json() == created

    put = alice.put(resource.url(created), json={**created, **resource.changed(created)})
    assert put.status_code == 200, put.get_json()
    assert alice.get(resource.url(created)).get_json() == put.get_json()

    name, field = list(resource.fields.items())[-1]
    patched = alice.patch(resource.url(created), json={name: field.sample(7)})
    assert patched.status_code == 200, patched.get_json()
    assert alice.get(resource.url(created)).get_json() == patched.get_json()
    assert alice.get(resource.api).get_json()["items"] == [patched.get_json()]


# Validation, field by field -------------------------------------------------


@pytest.mark.parametrize(("resource", "field"), FIELDS)
def test_a_field_refuses_bad_values_with_400_and_nothing_changes(alice, db, resource, field):
    kept = resource.create(alice)
    for bad in refused_values(resource.fields[field]):
        for method, url in (("POST", resource.api), ("PUT", resource.url(kept))):
            response = alice.request(method, url, json={**resource.body(2), field: bad})
            body = assert_error(response, 400)
            assert list(body["fields"]) == [field], (method, bad)
            assert all(isinstance(message, str) for message in body["fields"][field])
        body = assert_error(alice.patch(resource.url(kept), json={field: bad}), 400)
        assert list(body["fields"]) == [field], ("PATCH", bad)
    assert resource.count(db) == 1
    assert alice.get(resource.url(kept)).get_json() == kept


@pytest.mark.parametrize(("resource", "field"), FIELDS)
def test_a_field_accepts_its_limits_trimmed_and_null_as_the_default(alice, resource, field):
    for sent, stored in accepted_values(resource.fields[field]):
        created = alice.post(resource.api, json={**resource.body(), field: sent})
        assert created.status_code == 201, (sent, created.get_json())
        assert created.get_json()[field] == stored, sent
        url = resource.url(created.get_json())
        patched = alice.patch(url, json={field: sent}, headers={"If-Match": '"1"'})
        assert patched.status_code == 200, (sent, patched.get_json())
        assert patched.get_json()[field] == stored, sent


def test_a_missing_required_field_answers_400(alice, db, resource):
    for name in resource.required:
        body = {key: value for key, value in resource.body().items() if key != name}
        assert list(assert_error(alice.post(resource.api, json=body), 400)["fields"]) == [name]
    assert resource.count(db) == 0


def test_all_field_errors_are_reported_at_once(alice, resource):
    bad = {name: refused_values(field)[0] for name, field in resource.fields.items()}

    body = assert_error(alice.post(resource.api, json=bad), 400)

    assert set(body["fields"]) == set(resource.fields)


NOT_OBJECTS = ["[]", '"name"', "null", "42", '[{"name": "x"}]']
MALFORMED = ["{", '{"name": }', "{'name': 'x'}", "", '{"a": 1} x', "NaN", "[" * 30_000]
NOT_JSON = [('{"a": 1}', "text/plain"), ("a=1", "application/x-www-form-urlencoded"), ("{}", None)]


def test_a_body_that_is_no_json_object_answers_400_and_one_not_sent_as_json_415(
    alice, db, resource, subtests
):
    document = resource.create(alice)
    sent = [(body, "application/json", 400) for body in NOT_OBJECTS + MALFORMED]
    sent += [(body, content_type, 415) for body, content_type in NOT_JSON]
    for body, content_type, status in sent:
        for method in ("POST", "PUT", "PATCH"):
            url = resource.api if method == "POST" else resource.url(document)
            with subtests.test(f"{method} {body[:20]} {content_type}"):
                assert_error(
                    alice.request(method, url, data=body, content_type=content_type), status
                )
    assert resource.count(db) == 1
    assert alice.get(resource.url(document)).get_json() == document


def test_body_over_64_kib_answers_413(alice, db, resource):
    body = json.dumps({**resource.body(), "padding": "x" * (64 * 1024)})

    assert_error(alice.post(resource.api, data=body, content_type="application/json"), 413)
    assert resource.count(db) == 0


def test_body_just_under_64_kib_is_accepted_and_its_padding_not_stored(alice, db, resource):
    body = json.dumps({**resource.body(), "padding": "x" * (63 * 1024)})

    response = alice.post(resource.api, data=body, content_type="application/json")

    assert response.status_code == 201
    assert set(resource.stored(db, response.get_json())) == resource.stored_keys


# Read ---------------------------------------------------------------------


def test_get_answers_the_document_with_an_etag(alice, resource):
    document = resource.create(alice)

    response = alice.get(resource.url(document))

    assert response.status_code == 200
    assert response.get_json() == document
    assert response.headers["ETag"] == '"1"'


def test_get_with_the_current_etag_in_if_none_match_answers_304(alice, resource):
    document = resource.create(alice)
    etag = alice.get(resource.url(document)).headers["ETag"]

    response = alice.get(resource.url(document), headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.get_data() == b""


def test_get_with_an_outdated_etag_answers_the_new_document(alice, resource):
    document = resource.create(alice)
    changed = alice.patch(resource.url(document), json=resource.changed(document)).get_json()

    response = alice.get(resource.url(document), headers={"If-None-Match": '"1"'})

    assert response.status_code == 200
    assert response.get_json() == changed
    assert response.headers["ETag"] == '"2"'


def test_unknown_or_malformed_id_answers_404_json(alice, resource, subtests):
    for item in (str(ObjectId()), "not-an-id", "z" * 24, "a" * 25, "a" * 23, "%00"):
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            with subtests.test(f"{method} {item}"):
                response = alice.request(method, f"{resource.api}/{item}", json=resource.body())
                assert_error(response, 404)


def test_unknown_api_path_answers_404_json(alice):
    assert_error(alice.get("/api/nothing-here"), 404)


# List ---------------------------------------------------------------------


def test_list_answers_the_envelope_with_defaults(alice, resource):
    document = resource.create(alice)

    response = alice.get(resource.api)

    assert response.status_code == 200
    assert response.get_json() == {"items": [document], "page": 1, "per_page": 20, "total": 1}


def test_list_of_a_new_user_is_empty(alice, resource):
    assert alice.get(resource.api).get_json() == {
        "items": [],
        "page": 1,
        "per_page": 20,
        "total": 0,
    }


def test_list_defaults_to_newest_first(alice, db, resource):
    documents = [resource.create(alice, number) for number in range(3)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for document, days in zip(documents, (0, 2, 1), strict=True):
        set_stored(db, resource, document, created_at=start + timedelta(days=days))

    expected = [documents[1]["_id"], documents[2]["_id"], documents[0]["_id"]]
    assert ids(alice.get(resource.api)) == expected


def test_list_pages_through_every_document_once(alice, resource):
    created = {resource.create(alice, number)["_id"] for number in range(5)}

    pages = [alice.get(f"{resource.api}?per_page=2&page={page}").get_json() for page in range(1, 5)]

    assert [len(page["items"]) for page in pages] == [2, 2, 1, 0]
    assert all(page["total"] == 5 and page["per_page"] == 2 for page in pages)
    assert [page["page"] for page in pages] == [1, 2, 3, 4]
    seen = [item["_id"] for page in pages for item in page["items"]]
    assert len(seen) == 5 and set(seen) == created


@pytest.mark.parametrize(("resource", "field"), SORTS)
def test_list_sorts_by_each_sort_field_both_ways_breaking_ties_by_id(alice, db, resource, field):
    values = resource.sort_values(field)
    documents = [resource.create(alice, number) for number in range(len(values))]
    for document, value in zip(documents, values, strict=True):
        set_stored(db, resource, document, **{field: value})
    # MongoDB compares strings bytewise (no collation), as Python compares code points.
    ranked = sorted(
        (value, ObjectId(document["_id"]))
        for value, document in zip(values, documents, strict=True)
    )
    ascending = [str(id_) for _, id_ in ranked]

    for sort, expected in ((field, ascending), (f"-{field}", ascending[::-1])):
        seen = []
        for page in (1, 2, 3):
            seen += ids(alice.get(f"{resource.api}?sort={sort}&per_page=2&page={page}"))
        assert seen == expected, sort


def test_list_accepts_the_bounds_of_per_page_and_a_page_past_the_end(alice, resource):
    resource.create(alice)

    assert alice.get(f"{resource.api}?per_page=1").get_json()["per_page"] == 1
    assert alice.get(f"{resource.api}?per_page=100").get_json()["per_page"] == 100
    past = alice.get(f"{resource.api}?page=50").get_json()
    assert past["items"] == [] and past["total"] == 1 and past["page"] == 50


def bad_list_queries(resource):
    unsortable = [name for name in resource.fields if name not in resource.sort_fields]
    first = resource.sort_fields[0]
    queries = ["page=0", "page=-1", "page=abc", "page=1.5", "page=", "page=%EF%BC%91"]
    queries += ["page=1000001", "page=" + "1" * 5000, "page=%00", "per_page=0", "per_page=101"]
    queries += ["per_page=ten", "per_page=" + "9" * 30, "per_page=1e3", "page=0x10"]
    queries += [
        f"sort={resource.owner_field or 'owner_id'}",
        "sort=password_hash",
        "sort=_id",
        "sort=version",
    ]
    queries += [f"sort={name}" for name in unsortable]
    queries += [f"sort=--{first}", "sort=-", "sort=", f"sort={first}%00", "sort=%C3%A9"]
    queries += ["total=1", "total=True", "total=", "after=", "after=%00", "after=abc&page=1"]
    if resource.search_field:
        queries.append("q=" + "x" * (resource.resource.max_search_length + 1))
    return queries


def test_bad_list_parameters_answer_400(alice, resource, subtests):
    for query in bad_list_queries(resource):
        with subtests.test(query[:40]):
            assert_error(alice.get(f"{resource.api}?{query}"), 400)


# Search -------------------------------------------------------------------


def create_named(client, resource, *values):
    """Documents whose search field holds each of ``values``, in order."""
    return [
        resource.create(client, number, **{resource.search_field: value})
        for number, value in enumerate(values)
    ]


def searched(client, resource, q, **params):
    response = client.get(f"{resource.api}?{urlencode({'q': q, **params})}")
    assert response.status_code == 200, response.get_json()
    return [item[resource.search_field] for item in response.get_json()["items"]]


@pytest.mark.parametrize("resource", SEARCHABLE)
def test_search_finds_a_substring_case_insensitively(alice, resource):
    create_named(alice, resource, "Red Sprocket", "blue sprocket", "Gear", "Éclair", "eclair")

    assert sorted(searched(alice, resource, "SPROCKET")) == ["Red Sprocket", "blue sprocket"]
    assert alice.get(f"{resource.api}?q=SPROCKET").get_json()["total"] == 2
    assert searched(alice, resource, "éCL") == ["Éclair"]  # non-ASCII letters fold too
    assert len(searched(alice, resource, "")) == 5


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
    "\x00": [],
}


@pytest.mark.parametrize("resource", SEARCHABLE)
def test_search_takes_pattern_characters_literally(alice, resource):
    create_named(alice, resource, "a.*b", "axxb", "(paren", "Dot.Com", "DOTXCOM", "[x]", "x")
    create_named(alice, resource, "a+", "aa", "^caret", "$dollar", "back\\slash", "pi|pe")
    create_named(alice, resource, "what?", "{brace", "7")

    for q, expected in LITERAL_SEARCHES.items():
        assert searched(alice, resource, q) == expected, q


@pytest.mark.parametrize("resource", SEARCHABLE)
def test_search_takes_operators_in_the_query_string_literally(alice, bob, resource):
    create_named(alice, resource, "Mine")
    create_named(bob, resource, "Bob's")

    for query in ("q[$gt]=&sort[$ne]=1", "q[$regex]=.*", f"{resource.search_field}[$ne]=x"):
        response = alice.get(f"{resource.api}?{query}")
        assert response.status_code == 200, query
        assert response.get_json()["total"] == 1, query


@pytest.mark.parametrize("resource", SEARCHABLE)
def test_search_combines_with_paging_and_sorting(alice, resource):
    create_named(alice, resource, "gear 3", "gear 1", "cog", "gear 2")
    sort = f"-{resource.search_field}"

    assert searched(alice, resource, "gear", sort=sort, per_page=2) == ["gear 3", "gear 2"]
    assert searched(alice, resource, "gear", sort=sort, per_page=2, page=2) == ["gear 1"]
    assert alice.get(f"{resource.api}?q=gear&per_page=2").get_json()["total"] == 3


# Keyset paging ------------------------------------------------------------------

NEXT_LINK = re.compile(r'<([^<>]+)>; rel="next"')


class CommandRecorder(monitoring.CommandListener):
    """The database commands that requests run, seen on the wire (while recording)."""

    def __init__(self):
        self.commands = None

    @contextmanager
    def recording(self):
        self.commands = []
        try:
            yield self.commands
        finally:
            self.commands = None

    def started(self, event):
        if self.commands is not None:
            self.commands.append(event.command)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


# Registered once, for every client made from now on (pymongo has no other way
# to watch an app's own client); it records nothing unless a test asks.
COMMANDS = CommandRecorder()
monitoring.register(COMMANDS)


def counts(commands, resource):
    """How many of ``commands`` counted the resource's documents (count_documents
    is an aggregate; a change stream is one too, but no count)."""
    return sum(
        1
        for command in commands
        if command.get("count") == resource.collection
        or (
            command.get("aggregate") == resource.collection
            and not any("$changeStream" in stage for stage in command["pipeline"])
        )
    )


def next_url(response):
    """The URL that the Link header names as the next page, or None without one."""
    link = response.headers.get("Link")
    if link is None:
        return None
    match = NEXT_LINK.fullmatch(link)
    assert match, link
    return match.group(1)


def walk(client, url):
    """Every item of the list from ``url`` on, following the Link header page by page."""
    items = []
    for _ in range(100):
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        items += response.get_json()["items"]
        url = next_url(response)
        if url is None:
            return items
    raise AssertionError("The Link headers go round in circles.")


@pytest.mark.parametrize(("resource", "field"), SORTS)
def test_walking_by_cursor_gives_each_sort_both_ways_with_ties_and_nulls_once(
    alice, db, resource, field
):
    # Ties on the value, and two documents without one (null, and the field
    # missing, as when a field is added to a resource after documents exist).
    values = [*resource.sort_values(field), None, None]
    documents = [resource.create(alice, number) for number in range(len(values))]
    for document, value in zip(documents, values, strict=True):
        set_stored(db, resource, document, **{field: value})
    db[resource.collection].update_one(
        {"_id": ObjectId(documents[-1]["_id"])}, {"$unset": {field: ""}}
    )
    # MongoDB's order: null and missing below every value, then ties by _id.
    ranked = sorted(
        (value is not None, value, ObjectId(document["_id"]))
        for value, document in zip(values, documents, strict=True)
    )
    ascending = [str(id_) for *_, id_ in ranked]

    for sort, expected in ((field, ascending), (f"-{field}", ascending[::-1])):
        for per_page in (1, 3):
            seen = walk(alice, f"{resource.api}?sort={sort}&per_page={per_page}")
            assert [item["_id"] for item in seen] == expected, (sort, per_page)
        by_number = [
            item
            for page in (1, 2, 3)
            for item in ids(alice.get(f"{resource.api}?sort={sort}&page={page}&per_page=3"))
        ]
        assert by_number == expected, sort


def test_a_walk_neither_repeats_nor_skips_when_documents_change_between_pages(alice, db, resource):
    documents = [resource.create(alice, number) for number in range(6)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for days, document in enumerate(documents):
        set_stored(db, resource, document, created_at=start + timedelta(days=days))
    first = alice.get(f"{resource.api}?per_page=2")  # newest first
    assert ids(first) == [documents[5]["_id"], documents[4]["_id"]]

    resource.create(alice, 7)  # newer than the page: before the walk's position
    between = resource.create(alice, 8)
    set_stored(db, resource, between, created_at=start + timedelta(days=2, hours=12))
    alice.delete(resource.url(documents[4]))  # the item that the cursor names
    alice.delete(resource.url(documents[1]))  # one that the walk has not reached

    rest = [item["_id"] for item in walk(alice, next_url(first))]
    assert rest == [documents[3]["_id"], between["_id"], documents[2]["_id"], documents[0]["_id"]]


@pytest.mark.parametrize("resource", SEARCHABLE)
def test_a_walk_keeps_to_the_search(alice, resource):
    create_named(alice, resource, "gear 3", "cog 1", "Gear 1", "cog 2", "gear 2", "cog 3")
    query = urlencode({"q": "gear", "sort": f"-{resource.search_field}", "per_page": 1})

    seen = walk(alice, f"{resource.api}?{query}")

    assert [item[resource.search_field] for item in seen] == ["gear 3", "gear 2", "Gear 1"]


@pytest.mark.parametrize("resource", OWNED)
def test_a_walk_never_shows_another_users_documents(alice, bob, resource):
    mine = []
    for number in range(3):
        mine.append(resource.create(alice, number)["_id"])
        resource.create(bob, number)

    assert sorted(item["_id"] for item in walk(alice, f"{resource.api}?per_page=1")) == sorted(mine)
    # Bob's cursor names a place in the sort, not his documents: Alice sees hers.
    bobs_next = next_url(bob.get(f"{resource.api}?per_page=1"))
    assert set(ids(alice.get(bobs_next))) <= set(mine)


def test_the_link_header_names_the_next_page_exactly_when_there_is_one(alice, resource):
    assert "Link" not in alice.get(resource.api).headers
    for number in range(4):
        resource.create(alice, number)

    first = alice.get(f"{resource.api}?per_page=2")
    assert next_url(first)
    assert "Link" not in alice.get(f"{resource.api}?per_page=2&page=2").headers
    assert "Link" not in alice.get(f"{resource.api}?per_page=4").headers
    assert next_url(alice.get(f"{resource.api}?per_page=3&page=1"))

    # It goes on where page 2 would, in the same sort and page size, and says so.
    second = alice.get(next_url(first))
    assert ids(second) == ids(alice.get(f"{resource.api}?per_page=2&page=2"))
    assert "Link" not in second.headers
    body = second.get_json()
    assert list(body) == ["items", "page", "per_page", "total"]
    assert (body["page"], body["per_page"], body["total"]) == (None, 2, None)


def test_total_is_counted_only_when_the_client_needs_it(alice, resource):
    for number in range(3):
        resource.create(alice, number)
    api = resource.api
    first = alice.get(f"{api}?per_page=1")
    after = next_url(first)

    # (request, the total it answers, how many counts it runs)
    expected = [
        (f"{api}?per_page=1", 3, 1),  # page numbers promise a total
        (f"{api}?per_page=1&page=3", 3, 0),  # the last page tells it
        (f"{api}?per_page=3", 3, 0),  # so does a full page with nothing after it
        (f"{api}?per_page=1&total=false", None, 0),  # a client that needs none
        (after, None, 0),  # after a cursor: none unless asked
        (f"{after}&total=true", 3, 1),
        (f"{after}&total=false", None, 0),
    ]
    for url, total, count in expected:
        with COMMANDS.recording() as commands:
            response = alice.get(url)
        assert response.get_json()["total"] == total, url
        assert counts(commands, resource) == count, (url, commands)
    # The next page's link keeps the client's choice.
    assert "total=true" in next_url(alice.get(f"{api}?per_page=1&total=true"))


def bad_cursors(resource, field):
    """(what is wrong, the cursor) for a list sorted by ``field``."""
    value = resource.sort_values(field)[0]
    item = ObjectId()
    good = encode_cursor(field, value, item)
    cursors = [
        ("the other direction", encode_cursor(f"-{field}", value, item)),
        ("garbage", "garbage!"),
        ("empty", ""),
        ("one character", "a"),
        ("padding", good + "=="),
        ("percent", "%00"),
        ("too long", "A" * 5000),
        ("truncated", good[:-4]),
        ("no bson", base64.urlsafe_b64encode(b"not a cursor at all").decode()),
        ("no _id", bson_cursor({"sort": field, "value": value})),
        ("an _id that is no ObjectId", bson_cursor({"sort": field, "value": value, "_id": "x"})),
        ("an extra key", bson_cursor({"sort": field, "value": value, "_id": item, "x": 1})),
        ("a sort that is no string", bson_cursor({"sort": 1, "value": value, "_id": item})),
    ]
    cursors += [
        (f"another sort ({other})", encode_cursor(other, resource.sort_values(other)[0], item))
        for other in resource.sort_fields
        if other != field
    ]
    wrong = [{"$gt": ""}, [value], 1.5, "5" if not isinstance(value, str) else 5]
    wrong.append(1 if isinstance(value, bool) else True)
    cursors += [
        (f"a value of the wrong type ({bad!r})", encode_cursor(field, bad, item)) for bad in wrong
    ]
    return cursors


def bson_cursor(document):
    return base64.urlsafe_b64encode(bson.encode(document)).decode().rstrip("=")


@pytest.mark.parametrize(("resource", "field"), SORTS)
def test_a_bad_cursor_answers_400(alice, resource, field, subtests):
    resource.create(alice)
    for problem, cursor in bad_cursors(resource, field):
        with subtests.test(problem):
            assert_error(
                alice.get(f"{resource.api}?{urlencode({'sort': field, 'after': cursor})}"), 400
            )
    good = encode_cursor(field, resource.sort_values(field)[0], ObjectId())
    for extra in ("page=1", "total=yes", "total=", "per_page=0"):
        with subtests.test(extra):
            assert_error(alice.get(f"{resource.api}?sort={field}&after={good}&{extra}"), 400)
    assert alice.get(f"{resource.api}?sort={field}&after={good}").status_code == 200


# Update -----------------------------------------------------------------


def test_put_replaces_every_field_and_increments_the_version(alice, resource):
    document = resource.create(alice)
    sent = resource.changed(document)

    response = alice.put(resource.url(document), json={**document, **sent})

    assert response.status_code == 200, response.get_json()
    updated = response.get_json()
    assert {name: updated[name] for name in resource.fields} == sent
    assert updated["version"] == 2
    assert updated["created_at"] == document["created_at"]
    assert updated["updated_at"] >= document["updated_at"]
    assert response.headers["ETag"] == '"2"'


def test_put_missing_optional_fields_take_their_default(alice, resource):
    document = resource.create(alice)

    response = alice.put(resource.url(document), json=resource.required_body(3))

    assert response.status_code == 200, response.get_json()
    updated = response.get_json()
    for name in resource.optional:
        assert updated[name] == resource.fields[name].default, name
    for name in resource.required:
        assert updated[name] == resource.required_body(3)[name], name


def test_put_missing_a_required_field_answers_400_and_changes_nothing(alice, db, resource):
    document = resource.create(alice)
    for name in resource.required:
        body = {key: value for key, value in resource.changed(document).items() if key != name}
        fields = assert_error(alice.put(resource.url(document), json=body), 400)["fields"]
        assert list(fields) == [name]
    assert alice.get(resource.url(document)).get_json() == document


def test_put_ignores_read_only_and_unknown_keys(alice, db, resource):
    document = resource.create(alice)
    other = resource.create(alice, 2)
    sent = {
        **resource.changed(document),
        "_id": other["_id"],
        "created_at": "1999-01-01T00:00:00+00:00",
        "updated_at": "1999-01-01T00:00:00+00:00",
        "color": "red",
    }

    response = alice.put(resource.url(document), json=sent)

    assert response.status_code == 200, response.get_json()
    updated = response.get_json()
    assert updated["_id"] == document["_id"]
    assert updated["created_at"] == document["created_at"]
    assert not updated["updated_at"].startswith("1999")
    assert set(resource.stored(db, document)) == resource.stored_keys
    assert alice.get(resource.url(other)).get_json() == other


def test_patch_changes_only_the_fields_sent(alice, resource):
    document = resource.create(alice)
    expected = {name: document[name] for name in resource.fields}
    # One field at a time: the others, required ones included, need not be sent.
    for version, name in enumerate(resource.fields, start=2):
        sent = resource.changed(expected)[name]

        response = alice.patch(resource.url(document), json={name: sent})

        assert response.status_code == 200, response.get_json()
        expected[name] = sent
        assert {key: response.get_json()[key] for key in resource.fields} == expected, name
        assert response.get_json()["version"] == version


def test_patch_ignores_read_only_and_unknown_keys(alice, db, resource):
    document = resource.create(alice)
    sent = {"created_at": "1999", "_id": "x", "color": 1, "$set": {"version": 0}}

    response = alice.patch(resource.url(document), json=sent)

    assert response.status_code == 200
    assert response.get_json()["created_at"] == document["created_at"]
    assert response.get_json()["version"] == 2
    assert set(resource.stored(db, document)) == resource.stored_keys


# No lost updates --------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_with_the_stored_version_succeeds(alice, resource, method):
    document = resource.create(alice)

    response = alice.request(
        method, resource.url(document), json={**resource.changed(document), "version": 1}
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] == 2


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_with_a_stale_version_answers_409_with_the_current_document(alice, resource, method):
    document = resource.create(alice)
    theirs = resource.changed(document)
    current = alice.put(resource.url(document), json=theirs).get_json()
    mine = {**resource.changed(current), "version": 1}

    body = assert_error(alice.request(method, resource.url(document), json=mine), 409)

    assert body["current"] == current
    assert alice.get(resource.url(document)).get_json() == current


def test_update_with_a_version_of_the_wrong_type_answers_400(alice, resource):
    document = resource.create(alice)

    for version in ("1", 1.5, True, [1], {"$gt": 0}, 2**64):
        body = {**resource.changed(document), "version": version}
        fields = assert_error(alice.put(resource.url(document), json=body), 400)["fields"]
        assert "version" in fields, version
    assert alice.get(resource.url(document)).get_json() == document


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_update_with_a_stale_if_match_answers_412_with_the_current_document(
    alice, resource, method
):
    document = resource.create(alice)
    current = alice.patch(resource.url(document), json=resource.changed(document)).get_json()

    response = alice.request(
        method,
        resource.url(document),
        json=resource.changed(current),
        headers={"If-Match": '"1"'},
    )

    body = assert_error(response, 412)
    assert body["current"] == current
    assert alice.get(resource.url(document)).get_json() == current


@pytest.mark.parametrize("if_match", ['"1"', '"7", "1"', "*"])
def test_update_with_a_matching_if_match_succeeds(alice, resource, if_match):
    document = resource.create(alice)

    response = alice.patch(
        resource.url(document), json=resource.changed(document), headers={"If-Match": if_match}
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] == 2


def test_if_match_compares_etags_strongly_and_exactly(alice, resource, subtests):
    document = resource.create(alice)
    for if_match in ('W/"1"', '"01"', '"1.0"', '"²"', '" 1"', '"' + "9" * 30 + '"', '"-1"'):
        with subtests.test(if_match):
            response = alice.patch(
                resource.url(document),
                json=resource.changed(document),
                headers={"If-Match": if_match},
            )
            assert_error(response, 412)
    assert alice.get(resource.url(document)).get_json() == document


def test_if_match_mismatch_wins_over_a_version_mismatch(alice, resource):
    document = resource.create(alice)
    current = alice.patch(resource.url(document), json=resource.changed(document)).get_json()

    response = alice.put(
        resource.url(document),
        json={**resource.changed(current), "version": 1},
        headers={"If-Match": '"1"'},
    )

    assert_error(response, 412)


def test_version_grows_by_one_on_each_change(alice, resource):
    document = resource.create(alice)
    versions = [document["version"]]
    for _ in range(3):
        put = alice.put(resource.url(document), json=resource.changed(document)).get_json()
        document = alice.patch(resource.url(document), json=resource.changed(put)).get_json()
        versions += [put["version"], document["version"]]

    assert versions == [1, 2, 3, 4, 5, 6, 7]


def test_an_update_sent_back_as_backbone_does_with_its_etag_succeeds(alice, resource):
    """Backbone sends the whole model back; the stored version makes it succeed."""
    document = resource.create(alice)
    fetched = alice.get(resource.url(document))

    response = alice.put(
        resource.url(document),
        json={**fetched.get_json(), **resource.changed(document)},
        headers={"If-Match": fetched.headers["ETag"]},
    )

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] == 2


# Delete -------------------------------------------------------------------


def test_delete_answers_204_with_an_empty_body_and_removes_the_document(alice, db, resource):
    document = resource.create(alice)
    kept = resource.create(alice, 2)

    response = alice.delete(resource.url(document))

    assert response.status_code == 204
    assert response.get_data() == b""
    assert resource.stored(db, document) is None
    assert_error(alice.get(resource.url(document)), 404)
    assert_error(alice.delete(resource.url(document)), 404)
    assert ids(alice.get(resource.api)) == [kept["_id"]]


# Methods, login and CSRF ----------------------------------------------------


def test_method_not_allowed_answers_405_json_with_allow(alice, resource, subtests):
    document = resource.create(alice)
    for method, path in (
        *[(method, resource.api) for method in ("PUT", "PATCH", "DELETE", "PROPFIND")],
        ("POST", resource.url(document)),
    ):
        with subtests.test(f"{method} {path}"):
            response = alice.request(method, path, json=resource.body())
            assert_error(response, 405)
            assert "GET" in response.headers["Allow"]


def test_anonymous_requests_answer_401_json_and_change_nothing(
    client, alice, db, resource, subtests
):
    document = resource.create(alice)
    for method, path in (
        *[(method, resource.api) for method in ("GET", "POST")],
        *[(method, resource.url(document)) for method in ("GET", "PUT", "PATCH", "DELETE")],
    ):
        with subtests.test(f"{method} {path}"):
            response = client.open(path, method=method, json=resource.body(2))
            assert_error(response, 401)
            assert "Location" not in response.headers
    assert resource.count(db) == 1
    assert resource.stored(db, document)["version"] == 1


def test_unsafe_request_without_the_right_csrf_token_answers_403_and_changes_nothing(
    alice, bob, db, resource, subtests
):
    document = resource.create(alice)
    requests = [("POST", resource.api)]
    requests += [(method, resource.url(document)) for method in ("PUT", "PATCH", "DELETE")]
    for token in (None, "wrong", bob.csrf_token):
        headers = {} if token is None else {"X-CSRFToken": token}
        for method, path in requests:
            with subtests.test(f"{method} {path} token={token and token[:10]}"):
                response = alice.client.open(
                    path, method=method, json=resource.body(2), headers=headers
                )
                assert_error(response, 403)
    assert resource.count(db) == 1
    assert resource.stored(db, document)["version"] == 1


def test_safe_requests_need_no_csrf_token(alice, resource):
    document = resource.create(alice)

    assert alice.client.get(resource.api).status_code == 200
    assert alice.client.get(resource.url(document)).status_code == 200
    assert alice.client.head(resource.url(document)).status_code == 200


def test_no_cookie_or_token_garbage_yields_a_server_error(alice, app, resource):
    client = app.test_client()
    for cookie in ("garbage", "e30.abc.def", "." * 4000, "\u00e9"):
        client.set_cookie("session", cookie)
        for token in ("garbage", "\u00e9", "IjEi.abc.def", "x" * 5000):
            headers = {"X-CSRFToken": token}
            response = client.post(resource.api, json=resource.body(), headers=headers)
            assert response.status_code == 401, response.get_data(as_text=True)
            response = alice.post(resource.api, json=resource.body(), headers=headers)
            assert response.status_code == 403, response.get_data(as_text=True)


# Owners -------------------------------------------------------------------


@pytest.mark.parametrize("resource", OWNED)
def test_a_document_belongs_to_the_user_who_created_it(alice, db, resource):
    document = resource.create(alice)

    assert resource.stored(db, document)[resource.owner_field] == user_id(db, alice)


@pytest.mark.parametrize("resource", OWNED)
def test_no_body_can_write_the_owner_field(alice, bob, db, resource):
    document = resource.create(alice)
    owner, thief = user_id(db, alice), str(user_id(db, bob))
    sneaky = {resource.owner_field: thief, "$set": {resource.owner_field: thief}}

    created = alice.post(resource.api, json={**resource.body(2), **sneaky})
    put = alice.put(resource.url(document), json={**resource.changed(document), **sneaky})
    patched = alice.patch(resource.url(document), json=sneaky)

    assert [created.status_code, put.status_code, patched.status_code] == [201, 200, 200]
    for sent in (created.get_json(), patched.get_json()):
        assert resource.stored(db, sent)[resource.owner_field] == owner
    assert bob.get(resource.api).get_json()["total"] == 0


@pytest.mark.parametrize("resource", OWNED)
def test_another_users_document_does_not_exist_for_them(alice, bob, db, resource):
    mine = resource.create(alice, 1)
    theirs = resource.create(bob, 2)

    for owner, other, document in ((alice, bob, mine), (bob, alice, theirs)):
        assert document["_id"] not in ids(other.get(resource.api))
        url = resource.url(document)
        assert_error(other.get(url), 404)
        assert_error(other.put(url, json=resource.changed(document)), 404)
        assert_error(other.patch(url, json=resource.changed(document)), 404)
        assert_error(other.delete(url), 404)
        assert owner.get(url).get_json() == document
    assert resource.count(db) == 2


@pytest.mark.parametrize("resource", OWNED)
def test_another_users_document_answers_404_even_with_if_match_or_version(alice, bob, resource):
    document = resource.create(alice)
    url = resource.url(document)

    assert_error(bob.put(url, json={**resource.changed(document), "version": 1}), 404)
    assert_error(bob.patch(url, json=resource.changed(document), headers={"If-Match": '"1"'}), 404)
    assert alice.get(url).get_json() == document


@pytest.mark.parametrize("resource", OWNED)
def test_list_total_never_counts_another_users_documents(alice, bob, resource):
    resource.create(alice)
    resource.create(bob, 1)
    resource.create(bob, 2)

    body = alice.get(resource.api).get_json()

    assert body["total"] == 1 and len(body["items"]) == 1
    if resource.search_field:
        q = resource.body(1)[resource.search_field]
        assert alice.get(f"{resource.api}?{urlencode({'q': q})}").get_json()["total"] == 1


@pytest.mark.parametrize("resource", OWNED)
def test_the_owner_is_never_sent(alice, resource):
    document = resource.create(alice)

    assert resource.owner_field not in document
    assert resource.owner_field not in alice.get(resource.api).get_json()["items"][0]
    assert resource.owner_field not in alice.get(resource.url(document)).get_json()


# Nothing a client sends is a 500 ------------------------------------------------


def nasty_requests(resource):
    """(method, path, body, headers) that a careless or hostile client might send."""
    api, item, name = resource.api, "{item}", next(iter(resource.fields))
    body = resource.body()
    return [
        ("GET", f"{api}?q=%00%ff%fe", None, {}),
        ("GET", f"{api}?q=" + "%28" * 100, None, {}),
        ("GET", f"{api}/{'f' * 24}%00", None, {}),
        ("GET", item, None, {"If-None-Match": '"' + "9" * 5000 + '"'}),
        ("GET", item, None, {"If-None-Match": 'W/, ,"', "If-Modified-Since": "yesterday"}),
        ("GET", item, None, {"Range": "bytes=-5,9999999999999999999-"}),
        ("PATCH", item, body, {"If-Match": '"' + "9" * 5000 + '"'}),
        ("PATCH", item, body, {"If-Match": '"\u00b2", "\u0661", "-1"'}),
        ("PATCH", item, body, {"If-Match": '"9223372036854775808"'}),
        ("PATCH", item, body, {"If-Match": '"unterminated'}),
        ("PUT", item, {**body, "version": -(2**63)}, {}),
        ("PUT", item, {**body, "version": None}, {"If-Match": ""}),
        ("PATCH", item, {"version": 1.0}, {}),
        ("PATCH", item, {name: "x" * 100_000}, {}),
        ("POST", api, {**body, "": 1, "$": 2, "a.b": 3, "\x00": 4}, {}),
        ("POST", api, body, {"Content-Type": "application/json; charset=utf-32"}),
        ("POST", api, body, {"Content-Type": "application/json; charset=bogus"}),
        ("POST", api, body, {"Content-Encoding": "gzip"}),
        ("POST", api, None, {"Content-Type": "application/json"}),
        ("DELETE", item, body, {"If-Match": '"0"'}),
        ("OPTIONS", item, None, {}),
        ("HEAD", api, None, {}),
        ("TRACE", api, None, {}),
        ("GET", "/api/", None, {}),
        ("GET", f"{api}/../users", None, {}),
    ]


def test_no_client_input_yields_a_server_error(alice, resource, subtests):
    document = resource.create(alice)
    for method, path, body, headers in nasty_requests(resource):
        with subtests.test(f"{method} {path[:60]} {str(headers)[:40]}"):
            path = path.replace("{item}", resource.url(document))
            response = alice.request(method, path, json=body, headers=headers)
            assert response.status_code < 500, response.get_data(as_text=True)
            if response.status_code >= 400 and method != "HEAD":
                assert response.mimetype == "application/json"
                assert "error" in response.get_json()


def test_every_resource_of_the_sample_app_is_served(app):
    """The suite's resources are the app's: none is left out of either."""
    assert [resource.name for resource in RESOURCES] == list(app.extensions["resources"])
