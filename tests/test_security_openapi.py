"""The OpenAPI document is valid, served, and true: schemathesis sends generated
requests (valid and invalid) to every operation of every registered resource
(and the tests' own) as a logged-in user, and checks each answer against the
document. SCHEMATHESIS_MAX_EXAMPLES runs more of them."""

import json
import os

import pytest
import schemathesis
from bson import ObjectId
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.config import SchemathesisConfig

from backend.api.keyset import CURSOR, MAX_CURSOR_LENGTH, encode_cursor
from backend.api.openapi import openapi_document
from backend.serialization import utc_now
from backend.settings import APP_NAME
from tests.sample_app import RESOURCES
from tests.servers import serving

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
# Every generated id that is a valid one is aimed at this document of the
# user's, so that successful reads and writes are tried too, not only 404s.
ITEM_ID = ObjectId("5f0c0ffee0c0ffee0c0ffee0")
DOCUMENT = openapi_document(RESOURCES, APP_NAME)  # whatever `make rename` named it

# A valid request may still meet a version or an ETag that is not the current one.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", 401, 403, 404, 409, 412]
            }
        }
    }
)
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(DOCUMENT)), config=CONFIG)


def test_the_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"].startswith("3.1")
    validate(DOCUMENT)


def test_the_document_describes_every_resource_from_its_declaration():
    for resource in RESOURCES:
        assert f"/api/{resource.name}" in DOCUMENT["paths"]
        assert f"/api/{resource.name}/{{item_id}}" in DOCUMENT["paths"]
        schema = DOCUMENT["components"]["schemas"][resource.item_name.title()]
        assert list(schema["properties"]) == list(resource.public_fields)


def test_the_document_is_served_without_login(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == json.loads(json.dumps(DOCUMENT))


def test_the_docs_page_shows_it_with_self_hosted_scripts_only(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-openapi="/api/openapi.json"' in page
    assert "<script>" not in page  # no inline script: the CSP allows only 'self'
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@schema.auth(refresh_interval=None)
class LoggedIn:
    """The session cookie and CSRF header of the test's user, as the front end sends them."""

    user = None  # set by the logged_in fixture

    def get(self, case, context):
        return LoggedIn.user

    def set(self, case, user, context):
        case.cookies = {**(case.cookies or {}), "session": user.client.get_cookie("session").value}
        case.headers = {**(case.headers or {}), "X-CSRFToken": user.csrf_token}


@schema.hook("map_body")
def whole_numbers(context, body):
    # JSON Schema counts 2.0 as an integer; the API wants 2, the JSON integer
    # Backbone sends back, and answers 400 to 2.0 (the bad-input catalogue tests it).
    if not isinstance(body, dict):
        return body
    return {
        key: int(value) if isinstance(value, float) and value.is_integer() else value
        for key, value in body.items()
    }


@pytest.fixture
def logged_in(alice):
    LoggedIn.user = alice
    yield alice
    LoggedIn.user = None


@pytest.fixture
def documents(db, logged_in):
    """One document of the user's in each resource, at ITEM_ID."""
    owner = db.users.find_one({"email": logged_in.email})["_id"]
    now = utc_now()
    made = {}
    for resource in RESOURCES:
        values = {name: field.sample(1) for name, field in resource.fields.items()}
        made[resource.collection] = {
            "_id": ITEM_ID,
            **resource.owner_query(owner),
            **values,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
    return made


@pytest.fixture
def base_url(app):
    with serving(app) as url:
        yield url


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_documented(case, base_url, db, documents):
    for collection, document in documents.items():
        db[collection].replace_one({"_id": ITEM_ID}, document, upsert=True)
    if ObjectId.is_valid(case.path_parameters.get("item_id", "")):
        case.path_parameters["item_id"] = str(ITEM_ID)
    aim_cursor(case, documents)
    case.call_and_validate(base_url=base_url)


def aim_cursor(case, documents):
    """A generated ``after`` that the schema allows becomes a real cursor, of the
    user's document in the case's sort: a made-up one is a 400 (the API suite tests
    that), as is ``after`` with ``page``, which no schema can forbid."""
    query = case.query or {}
    resource = next((r for r in RESOURCES if case.path == f"/api/{r.name}"), None)
    after = query.get(resource.after_param) if resource else None
    if not (isinstance(after, str) and len(after) <= MAX_CURSOR_LENGTH):
        return
    sort = query.get(resource.sort_param, resource.default_sort)
    if (
        CURSOR.fullmatch(after)
        and isinstance(sort, str)
        and sort.lstrip("-") in resource.sort_fields
    ):
        document = documents[resource.collection]
        cursor = encode_cursor(sort, document[sort.lstrip("-")], ITEM_ID)
        query = {**query, resource.after_param: cursor}
        query.pop(resource.page_param, None)
        case.query = query
