"""The declaration layer itself: what a BackboneResource subclass may and may not
say, and what its declaration gives beyond the HTTP API (tests/test_resources_api.py)."""

import re

import pytest
from wtforms.validators import DataRequired, ValidationError

from backend import create_app
from backend.api import BackboneResource, Checkbox, JSONForm, JSONStringField, Line, Number, Text
from tests.conftest import Browserless
from tests.resource_cases import Case
from tests.sample_app import RESOURCES
from tests.sample_resources import Tasks
from tests.test_account import delete_account

# Registration --------------------------------------------------------------


def test_a_resource_that_does_not_say_whose_its_documents_are_fails_at_registration(settings):
    class Orphans(BackboneResource):
        collection = "orphans"
        fields = {"name": Line()}

    message = (
        "Orphans does not say whose its documents are: set owner_field "
        '(for example "owner_id"), or public = True'
    )
    with pytest.raises(TypeError, match=re.escape(message)):
        create_app(settings, resources=[Orphans])


def test_a_resource_may_be_public_or_scope_its_documents_itself(settings):
    class Notices(BackboneResource):
        collection = "notices"
        public = True
        fields = {"text": Line()}

    class Archived(BackboneResource):
        collection = "archived"
        fields = {"text": Line()}

        def base_query(self):
            return {"archived": True}

    app = create_app(settings, resources=[Notices, Archived])

    assert list(app.extensions["resources"]) == ["notices", "archived"]
    assert Notices.owner_query("someone") is None


def test_a_resource_cannot_be_both_owned_and_public(settings):
    class Muddled(BackboneResource):
        collection = "muddled"
        owner_field = "owner_id"
        public = True
        fields = {"text": Line()}

    with pytest.raises(TypeError, match="sets both owner_field and public = True"):
        create_app(settings, resources=[Muddled])


def test_two_resources_cannot_share_a_name(settings):
    class Again(BackboneResource):
        collection = Tasks.collection
        owner_field = "owner_id"
        fields = {"text": Line()}

    with pytest.raises(TypeError, match="Two resources are named 'sample_tasks'"):
        create_app(settings, resources=[Tasks, Again])


# Class creation ------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["_id", "id", "created_at", "updated_at", "version", "owner_id", "$where", "data"]
)
def test_a_field_named_like_a_managed_field_or_the_owner_is_refused(name):
    with pytest.raises(TypeError, match=re.escape(f"{name!r} is managed by the resource")):

        class Sneaky(BackboneResource):
            collection = "sneaky"
            owner_field = "owner_id"
            fields = {"title": Line(), name: Line()}


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"sort_fields": ("title", "colour")}, "'colour' is not one of its fields"),
        ({"search_field": "colour"}, "search_field 'colour' is not one of its Line or Text"),
        ({"search_field": "created_at"}, "search_field 'created_at' is not one of its Line"),
    ],
)
def test_sort_and_search_fields_must_be_declared_fields(attributes, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        type(
            "Vague",
            (BackboneResource,),
            {"collection": "vague", "owner_field": "owner_id", "fields": {"title": Line()}}
            | attributes,
        )


@pytest.mark.parametrize("kind", [Number, Checkbox])
def test_a_number_or_checkbox_cannot_be_required_since_it_always_has_a_value(kind):
    with pytest.raises(TypeError, match="cannot be required"):
        kind(required=True)


def test_managed_timestamps_may_be_sort_fields_and_a_text_field_searched():
    class Notes(BackboneResource):
        collection = "notes"
        owner_field = "owner_id"
        fields = {"title": Line(), "body": Text()}
        sort_fields = ("created_at", "updated_at")
        search_field = "body"

    assert Notes.describe()["search"]["field"] == "body"


# Custom forms, djangbone style ---------------------------------------------------


class GadgetForm(JSONForm):
    name = JSONStringField(validators=[DataRequired()])

    def validate_name(self, field):
        if field.data.lower() == "forbidden":
            raise ValidationError("Not that name.")


class Gadgets(BackboneResource):
    """Its own form: the declared fields still give its public fields and its UI."""

    collection = "gadgets"
    item_name = "gadget"
    owner_field = "owner_id"
    fields = {"name": Line(required=True)}
    add_form_class = GadgetForm


class Bulletins(BackboneResource):
    """Public: its documents belong to nobody, so deleting an account keeps them."""

    collection = "bulletins"
    public = True
    fields = {"text": Line(required=True)}


@pytest.fixture
def custom_app(make_app):
    return make_app(resources=[*RESOURCES, Gadgets, Bulletins])


def user(app, email):
    return Browserless(app.test_client(), email).register()


def test_a_form_class_set_by_hand_is_kept_and_validates_every_write(custom_app):
    alice = user(custom_app, "alice@example.com")
    assert Gadgets.add_form_class is GadgetForm
    gadget = Case(Gadgets).create(alice)

    for method, url in (("POST", "/api/gadgets"), ("PUT", f"/api/gadgets/{gadget['_id']}")):
        response = alice.request(method, url, json={"name": "Forbidden"})
        assert response.status_code == 400, method
        assert response.get_json()["fields"] == {"name": ["Not that name."]}
    assert alice.get(f"/api/gadgets/{gadget['_id']}").get_json() == gadget


# What the declaration gives besides the API ------------------------------------


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda resource: resource.name)
def test_the_indexes_for_owner_and_each_sort_field_exist_after_the_first_request(
    alice, db, resource
):
    keys = [spec["key"] for spec in db[resource.collection].index_information().values()]

    for field in resource.sort_fields:
        assert [(resource.owner_field, 1), (field, -1), ("_id", -1)] in keys, field


def test_deleting_an_account_deletes_its_documents_of_every_owned_resource_only(custom_app):
    alice, bob = user(custom_app, "alice@example.com"), user(custom_app, "bob@example.com")
    owned = [Case(resource) for resource in custom_app.extensions["resources"].values()]
    owned = [case for case in owned if case.owner_field]
    assert len(owned) == len(RESOURCES) + 1  # the sample app's and the gadgets
    for case in owned:
        for client in (alice, bob):
            case.create(client, 1)
            case.create(client, 2)
    bulletin = alice.post("/api/bulletins", json={"text": "For everyone"}).get_json()

    assert delete_account(alice.client).status_code == 302

    db = custom_app.extensions["mongo"].db
    assert db.users.count_documents({"email": alice.email}) == 0
    for case in owned:
        assert case.count(db) == 2, case.name
        assert bob.get(case.api).get_json()["total"] == 2, case.name
    assert bob.get(f"/api/bulletins/{bulletin['_id']}").get_json() == bulletin


def test_describe_gives_the_front_end_everything_about_tasks():
    assert Tasks.describe() == {
        "name": "sample_tasks",
        "url": "/api/sample_tasks",
        "label": "Sample tasks",
        "item_label": "Task",
        "title_field": "title",
        "fields": [
            {"name": "title", "label": "Title", "type": "string", "widget": "line",
             "required": True, "default": "", "help": None, "max_length": 100, "min_length": 0},
            {"name": "notes", "label": "Notes", "type": "string", "widget": "textarea",
             "required": False, "default": "", "help": None, "max_length": 2000, "min_length": 0},
            {"name": "priority", "label": "Priority", "type": "integer", "widget": "number",
             "required": False, "default": 0, "help": None, "minimum": 0, "maximum": 5},
            {"name": "done", "label": "Done", "type": "boolean", "widget": "checkbox",
             "required": False, "default": False, "help": None},
        ],
        "sorts": [
            {"value": "-created_at", "label": "Newest first"},
            {"value": "title", "label": "Title, A to Z"},
            {"value": "-title", "label": "Title, Z to A"},
            {"value": "priority", "label": "Priority, lowest first"},
            {"value": "-priority", "label": "Priority, highest first"},
            {"value": "created_at", "label": "Oldest first"},
            {"value": "updated_at", "label": "Least recently updated"},
            {"value": "-updated_at", "label": "Recently updated"},
        ],
        "default_sort": "-created_at",
        "search": {"param": "q", "field": "title", "label": "Search by title", "max_length": 100},
        "page_size": 20,
    }  # fmt: skip


def test_an_optional_line_with_a_minimum_length_may_still_be_left_blank():
    class Codes(BackboneResource):
        collection = "codes"
        public = True
        fields = {"label": Line(required=True), "code": Line(min_length=3)}

    def errors(code):
        form = Codes.add_form_class.from_json({"label": "x", "code": code})
        form.validate()
        return form.errors

    assert errors("") == {}
    assert errors("  ") == {}
    assert errors("abc") == {}
    assert "code" in errors("ab")
    assert len(Codes.fields["code"].sample(1)) >= 3


def test_the_schema_of_a_required_line_calls_blank_what_trimming_leaves_empty():
    pattern = re.compile(Tasks.fields["title"].schema()["pattern"])
    spaces = [chr(code) for code in range(0x110000) if chr(code).isspace()]

    assert not any(pattern.search(space) for space in spaces)
    for kept in ("a", "\ufeff", "\u200b", "\x00"):
        assert bool(pattern.search(kept)) == bool(kept.strip())


@pytest.mark.parametrize("name", ["events", "login", "account", "docs"])
def test_a_resource_cannot_hide_a_url_the_app_serves(settings, name):
    resource = type(
        name.title(),
        (BackboneResource,),
        {"collection": name, "public": True, "fields": {"title": Line()}},
    )

    with pytest.raises(TypeError, match="serves that URL already"):
        create_app(settings, resources=[*RESOURCES, resource])
