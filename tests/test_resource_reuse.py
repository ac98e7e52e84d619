"""BackboneResource is reusable: two resources defined here, with only its public
interface, on a blueprint of a fresh app, exercised end to end."""

import pytest
from bson import ObjectId, Regex
from flask import Blueprint
from flask_login import current_user
from pymongo import ASCENDING, IndexModel
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from backend.api import BackboneResource, JSONForm, JSONIntegerField, JSONStringField
from backend.api.keyset import encode_cursor
from backend.extensions import mongo
from tests.conftest import csrf_token_from

NOTES = "/api/notes"
ANNOUNCEMENTS = "/api/announcements"


class NoteForm(JSONForm):
    title = JSONStringField(validators=[DataRequired(), Length(max=20)])
    body = JSONStringField(default="", strip=False)
    stars = JSONIntegerField(default=0, validators=[NumberRange(min=0, max=5)])

    def validate_title(self, field):
        # Forms run inside the request: the current user and the database are at hand.
        taken = {"owner": current_user.id, "board": "reuse", "title": field.data}
        if mongo.db.notes.count_documents(taken):
            raise ValidationError("You already have a note with this title.")


class NoteEditForm(JSONForm):
    """A note's title is fixed once it is made; only its body and stars change."""

    body = JSONStringField(default="", strip=False)
    stars = JSONIntegerField(default=0, validators=[NumberRange(min=0, max=5)])


class NoteResource(BackboneResource):
    collection = "notes"
    public_fields = ("_id", "title", "body", "stars", "created_at", "updated_at", "version")
    add_form_class = NoteForm
    edit_form_class = NoteEditForm
    indexes = (IndexModel([("owner", ASCENDING), ("board", ASCENDING), ("title", ASCENDING)]),)
    item_name = "Note"
    page_size = 3
    max_page_size = 5
    page_param = "p"
    per_page_param = "n"
    sort_param = "order"
    search_param = "search"
    sort_fields = ("title", "stars")
    default_sort = "title"
    search_field = "title"

    def base_query(self):
        return {"owner": current_user.id, "board": "reuse"}


class AnnouncementForm(JSONForm):
    text = JSONStringField(validators=[DataRequired()])


class AnnouncementResource(BackboneResource):
    collection = "announcements"
    public_fields = ("_id", "text", "created_at", "updated_at", "version")
    add_form_class = AnnouncementForm
    login_required = False
    public = True  # everyone's: it must say so


blueprint = Blueprint("reuse", __name__)
NoteResource.register(blueprint, NOTES)
AnnouncementResource.register(blueprint, ANNOUNCEMENTS, endpoint="announcements")


@pytest.fixture
def app(app):
    """The conftest app, fresh, with this blueprint registered before any request."""
    app.register_blueprint(blueprint)
    return app


def note(client, title, **fields):
    response = client.post(NOTES, json={"title": title, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def titles(response):
    assert response.status_code == 200, response.get_json()
    return [item["title"] for item in response.get_json()["items"]]


def test_a_new_resource_answers_every_backbone_request(alice):
    created = alice.post(NOTES, json={"title": " Shopping ", "body": " eggs ", "color": "red"})
    assert created.status_code == 201
    item = created.get_json()
    assert set(item) == {"_id", "title", "body", "stars", "created_at", "updated_at", "version"}
    assert (item["title"], item["body"], item["stars"], item["version"]) == (
        "Shopping",
        " eggs ",
        0,
        1,
    )
    url = f"{NOTES}/{item['_id']}"
    assert created.headers["Location"] == url

    fetched = alice.get(url)
    assert fetched.get_json() == item and fetched.headers["ETag"] == '"1"'
    put = alice.put(url, json={**item, "body": "milk", "stars": 4})
    assert put.status_code == 200
    assert (put.get_json()["body"], put.get_json()["stars"], put.get_json()["version"]) == (
        "milk",
        4,
        2,
    )
    patched = alice.patch(url, json={"stars": 5, "version": 2})
    assert patched.get_json()["body"] == "milk" and patched.get_json()["stars"] == 5
    assert alice.get(NOTES).get_json()["items"] == [patched.get_json()]
    assert alice.delete(url).status_code == 204
    assert alice.get(url).status_code == 404
    assert alice.get(url).get_json() == {"error": "Note not found."}


def test_the_base_query_scopes_reads_and_is_stored_on_new_documents(alice, bob, db):
    mine = note(alice, "mine")
    owner = db.users.find_one({"email": alice.email})["_id"]
    db.notes.insert_one(
        {"owner": owner, "board": "elsewhere", "title": "other board", "version": 1}
    )

    stored = db.notes.find_one({"_id": ObjectId(mine["_id"])})
    assert stored["owner"] == owner and stored["board"] == "reuse"
    assert titles(alice.get(NOTES)) == ["mine"]
    assert titles(bob.get(NOTES)) == []
    assert bob.get(f"{NOTES}/{mine['_id']}").status_code == 404
    assert bob.delete(f"{NOTES}/{mine['_id']}").status_code == 404


def test_custom_page_size_and_parameter_names(alice):
    for title in ("e", "a", "d", "b", "c"):
        note(alice, title)

    first = alice.get(NOTES).get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 3, 5)
    assert [item["title"] for item in first["items"]] == ["a", "b", "c"]  # default_sort
    assert titles(alice.get(f"{NOTES}?p=2")) == ["d", "e"]
    assert titles(alice.get(f"{NOTES}?p=2&n=2")) == ["c", "d"]
    assert titles(alice.get(f"{NOTES}?order=-title&n=5")) == ["e", "d", "c", "b", "a"]
    assert titles(alice.get(f"{NOTES}?search=D")) == ["d"]
    # The default names mean nothing to this resource.
    assert titles(alice.get(f"{NOTES}?page=2&per_page=1&sort=-title&q=a")) == ["a", "b", "c"]


def test_keyset_paging_speaks_the_resources_own_parameter_names(alice):
    for title in ("e", "a", "d", "b", "c", "ab"):
        note(alice, title)
    seen, url = [], f"{NOTES}?order=-title&search=A&n=1"
    while url:
        response = alice.get(url)
        seen += titles(response)
        link = response.headers.get("Link")
        url = link and link.removeprefix("<").removesuffix('>; rel="next"')
        assert not url or ("order=-title" in url and "search=A" in url and "n=1" in url)

    assert seen == ["ab", "a"]
    # A form of its own declares no field types: a cursor's value must still be plain.
    for value, status in (("b", 200), ({"$gt": ""}, 400), (Regex(".*"), 400), (["a"], 400)):
        cursor = encode_cursor("title", value, ObjectId())
        assert alice.get(f"{NOTES}?order=title&after={cursor}").status_code == status, value


@pytest.mark.parametrize(
    "query", ["n=6", "n=0", "p=0", "order=created_at", "order=body", "search=" + "x" * 101]
)
def test_custom_parameters_are_checked(alice, query):
    response = alice.get(f"{NOTES}?{query}")

    assert response.status_code == 400
    assert "error" in response.get_json()


def test_sorting_by_a_custom_field_breaks_ties_by_id(alice):
    ids = [
        note(alice, title, stars=stars)["_id"] for title, stars in (("x", 2), ("y", 1), ("z", 2))
    ]

    items = alice.get(f"{NOTES}?order=-stars").get_json()["items"]

    assert [item["_id"] for item in items] == [max(ids[0], ids[2]), min(ids[0], ids[2]), ids[1]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "t", "stars": "5"}, "stars"),
        ({"title": "t", "stars": 1.5}, "stars"),
        ({"title": "t", "stars": True}, "stars"),
        ({"title": "t", "stars": {"$gt": 0}}, "stars"),
        ({"title": "t", "stars": 2**63}, "stars"),
        ({"title": "t", "stars": 6}, "stars"),
        ({"title": "x" * 21}, "title"),
        ({"title": {"$gt": ""}}, "title"),
        ({"title": "t", "body": ["x"]}, "body"),
    ],
)
def test_field_errors_of_the_new_forms(alice, db, body, field):
    response = alice.post(NOTES, json=body)

    assert response.status_code == 400
    assert response.get_json()["error"] == "Note is not valid."
    assert list(response.get_json()["fields"]) == [field]
    assert db.notes.count_documents({}) == 0


def test_form_validators_can_use_the_current_user(alice, bob):
    note(alice, "groceries")

    again = alice.post(NOTES, json={"title": "groceries"})

    assert again.status_code == 400
    assert again.get_json()["fields"] == {"title": ["You already have a note with this title."]}
    assert bob.post(NOTES, json={"title": "groceries"}).status_code == 201


def test_the_edit_form_decides_what_an_update_may_change(alice, db):
    item = note(alice, "fixed", body="old", stars=3)
    url = f"{NOTES}/{item['_id']}"

    put = alice.put(url, json={"title": "renamed", "body": "new"}).get_json()
    patched = alice.patch(url, json={"title": "renamed again", "stars": 1}).get_json()

    assert (put["title"], put["body"], put["stars"]) == ("fixed", "new", 0)
    assert (patched["title"], patched["body"], patched["stars"]) == ("fixed", "new", 1)
    assert db.notes.find_one()["title"] == "fixed"


def test_conflicts_answer_409_and_412_with_the_current_document(alice):
    item = note(alice, "t")
    url = f"{NOTES}/{item['_id']}"
    current = alice.patch(url, json={"stars": 2}).get_json()

    conflict = alice.put(url, json={**item, "stars": 5})
    precondition = alice.patch(url, json={"stars": 5}, headers={"If-Match": '"1"'})

    assert conflict.status_code == 409 and conflict.get_json()["current"] == current
    assert precondition.status_code == 412 and precondition.get_json()["current"] == current
    assert "note" in conflict.get_json()["error"]


def test_the_new_resource_is_protected_like_widgets(alice, client):
    item = note(alice, "t")

    assert client.get(NOTES).status_code == 401
    assert alice.client.post(NOTES, json={"title": "x"}).status_code == 403
    assert alice.delete(NOTES).status_code == 405
    assert alice.post(f"{NOTES}/{item['_id']}", json={}).status_code == 405
    assert alice.post(NOTES, data="title=x", content_type="text/plain").status_code == 415


def test_the_new_collections_indexes_are_ensured(alice, db):
    note(alice, "t")

    keys = [index["key"] for index in db.notes.index_information().values()]
    assert [("owner", 1), ("board", 1), ("title", 1)] in keys


def test_a_resource_without_login_is_open_to_anyone_but_still_needs_csrf(client):
    assert client.get(ANNOUNCEMENTS).get_json()["items"] == []
    assert client.post(ANNOUNCEMENTS, json={"text": "hello"}).status_code == 403

    token_page = client.get("/login").get_data(as_text=True)
    headers = {"X-CSRFToken": csrf_token_from(token_page)}
    created = client.post(ANNOUNCEMENTS, json={"text": "hello"}, headers=headers)
    assert created.status_code == 201
    assert created.headers["Location"] == f"{ANNOUNCEMENTS}/{created.get_json()['_id']}"
    # Its default sort and page size.
    assert client.get(f"{ANNOUNCEMENTS}?sort=-created_at").get_json()["per_page"] == 20
    assert client.get(f"{ANNOUNCEMENTS}?sort=title").status_code == 400
    # No search field: q is ignored.
    assert client.get(f"{ANNOUNCEMENTS}?q=zzz").get_json()["total"] == 1


def test_a_resource_must_publish_its_id_and_managed_fields():
    class Incomplete(BackboneResource):
        collection = "incomplete"
        public_fields = ("_id", "title")
        add_form_class = NoteForm
        public = True

    with pytest.raises(TypeError, match="created_at"):
        Incomplete.register(Blueprint("incomplete", __name__), "/api/incomplete")
