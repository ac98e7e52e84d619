"""The API's OpenAPI 3.1 document, made from the registered resources.

Nothing here is written per resource: each one's paths and schemas come from
its declaration (fields, sort and search fields, page sizes), so the document
cannot drift from what the API does. ``tests/test_security_openapi.py`` checks
that with schemathesis, over every resource.
"""

from backend.api.keyset import CURSOR, MAX_CURSOR_LENGTH
from backend.api.resource import MAX_PAGE
from backend.serialization import INT64_MAX, INT64_MIN

DESCRIPTION = (
    "The JSON API that the Backbone front end talks to. Every response is JSON, errors "
    "included. Log in through the /login page: the API uses its session cookie, and unsafe "
    "methods also need the X-CSRFToken header, whose value is in the index page's "
    '<meta name="csrf-token">.'
)
CSRF = [{"session": [], "csrf": []}]
WRITE_ERRORS = ("400", "401", "403", "404", "409", "412", "413", "415", "503")


def openapi_document(resources, title):
    """The whole document for ``resources`` (classes), in their order."""
    paths = {}
    schemas = dict(SHARED_SCHEMAS)
    for resource in resources:
        schemas.update(resource_schemas(resource))
        paths.update(resource_paths(resource))
    paths["/api/events"] = {
        "get": {
            "operationId": "followChanges",
            "summary": "Changes to the user's documents, as Server-Sent Events",
            "description": "One `change` event per write (`data`: resource, op, _id, "
            "document), its id a resume token: reconnect with Last-Event-ID to receive what "
            "was missed, or `event: reset` when that is gone. A comment every 20 s at most.",
            "parameters": [{"name": "Last-Event-ID", "in": "header", "schema": {"type": "string"}}],
            "responses": {
                "200": {
                    "description": "The stream, open until the session ends",
                    "content": {"text/event-stream": {"schema": SERVER_SENT_EVENT}},
                },
                **errors(("401", "503")),
            },
        }
    }
    paths["/api/openapi.json"] = {
        "get": {
            "operationId": "getOpenAPI",
            "summary": "This document",
            "security": [],
            "responses": {"200": json_response("The OpenAPI document", {"type": "object"})},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{title} API", "version": "1.0.0", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"session": []}],
        "paths": paths,
        "components": {
            "securitySchemes": SECURITY_SCHEMES,
            "parameters": PARAMETERS,
            "headers": {"ETag": ETAG, "Link": NEXT_LINK},
            "schemas": schemas,
            "responses": ERROR_RESPONSES,
        },
    }


# Per resource -----------------------------------------------------------------


def names(resource):
    """(schema name, item noun, plural noun): ``Widget``, ``widget``, ``widgets``."""
    noun = resource.item_name
    return noun.title().replace(" ", ""), noun, resource.name.replace("_", " ")


def resource_schemas(resource):
    schema, noun, _ = names(resource)
    fields = resource.fields
    document = {
        "_id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
        **{name: field.schema() for name, field in fields.items()},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "version": {"type": "integer", "minimum": 1},
    }
    inputs = {name: field.input_schema() for name, field in fields.items()}
    inputs["version"] = {
        "$ref": "#/components/schemas/Version",
        "description": f"The version the client last saw; 409 if the {noun} has changed since.",
    }
    return {
        schema: {
            "type": "object",
            "required": list(document),
            "additionalProperties": False,
            "properties": document,
        },
        f"{schema}Page": page_schema(resource, schema),
        f"{schema}Input": {
            "type": "object",
            "description": "Strings are trimmed. _id, created_at and updated_at are read-only "
            "and ignored, as are unknown keys.",
            "required": [name for name, field in fields.items() if field.required],
            "properties": inputs,
        },
        f"{schema}Patch": {
            "type": "object",
            "description": f"Like {schema}Input, but every field is optional.",
            "properties": inputs,
        },
        f"{schema}Conflict": {
            "allOf": [{"$ref": "#/components/schemas/Error"}],
            "required": ["current"],
            "properties": {"current": ref(schema)},
        },
    }


def page_schema(resource, schema):
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "additionalProperties": False,
        "properties": {
            "items": {"type": "array", "items": ref(schema)},
            "page": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": f"The page number asked for; null after a cursor ({resource.after_param}).",
            },
            "per_page": {"type": "integer", "minimum": 1, "maximum": resource.max_page_size},
            "total": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "How many items the list (with its search) holds; null unless "
                f"counted, which is by default for page numbers and never after a cursor "
                f"({resource.total_param} changes that).",
            },
        },
    }


def resource_paths(resource):
    schema, noun, plural = names(resource)
    url = f"/api/{resource.name}"
    item = ref(schema)
    with_etag = {"ETag": {"$ref": "#/components/headers/ETag"}}
    conflicts = {
        "409": json_response("The body's version is not the stored one", ref(f"{schema}Conflict")),
        "412": json_response("If-Match does not match the current ETag", ref(f"{schema}Conflict")),
    }

    def update(operation, summary, body):
        return {
            "operationId": f"{operation}{schema}",
            "summary": summary,
            "security": CSRF,
            "parameters": [{"$ref": "#/components/parameters/IfMatch"}],
            "requestBody": json_body(ref(f"{schema}{body}")),
            "responses": {
                "200": json_response(f"The changed {noun}", item, with_etag),
                **errors(WRITE_ERRORS, conflicts),
            },
        }

    return {
        url: {
            "get": {
                "operationId": f"list{schema}s",
                "summary": f"A page of the user's {plural}",
                "parameters": list_parameters(resource),
                "responses": {
                    "200": json_response(
                        "The page",
                        ref(f"{schema}Page"),
                        {"Link": {"$ref": "#/components/headers/Link"}},
                    ),
                    **errors(("400", "401", "503")),
                },
            },
            "post": {
                "operationId": f"create{schema}",
                "summary": f"Create a {noun}",
                "security": CSRF,
                "requestBody": json_body(ref(f"{schema}Input")),
                "responses": {
                    "201": json_response(
                        f"The new {noun}",
                        item,
                        {"Location": {"schema": {"type": "string"}, "required": True}, **with_etag},
                    ),
                    **errors(("400", "401", "403", "413", "415", "503")),
                },
            },
        },
        f"{url}/{{item_id}}": {
            "parameters": [{"$ref": "#/components/parameters/ItemId"}],
            "get": {
                "operationId": f"get{schema}",
                "summary": f"One {noun}",
                "responses": {
                    "200": json_response(f"The {noun}", item, with_etag),
                    **errors(("401", "404", "503")),
                },
            },
            "put": update(
                "replace",
                "Replace the editable fields; a missing optional one takes its default",
                "Input",
            ),
            "patch": update("change", "Change only the fields sent", "Patch"),
            "delete": {
                "operationId": f"delete{schema}",
                "summary": f"Delete a {noun}",
                "security": CSRF,
                "responses": {
                    "204": {"description": "Deleted"},
                    **errors(("401", "403", "404", "503")),
                },
            },
        },
    }


def list_parameters(resource):
    sorts = [value for name in resource.sort_fields for value in (name, f"-{name}")]
    parameters = [
        query_parameter(resource.page_param, {"minimum": 1, "maximum": MAX_PAGE, "default": 1}),
        {
            "name": resource.after_param,
            "in": "query",
            "description": "Keyset paging: the items after the one this cursor names, in the "
            f"sort it was made for (not with {resource.page_param}). Take it from the Link "
            'header (rel="next") of the previous page: it is opaque.',
            "schema": {
                "type": "string",
                "pattern": f"^{CURSOR.pattern}$",
                "maxLength": MAX_CURSOR_LENGTH,
            },
        },
        {
            "name": resource.total_param,
            "in": "query",
            "description": "Whether to count the list into total: by default true for page "
            "numbers, false after a cursor.",
            "schema": {"type": "boolean"},
        },
        query_parameter(
            resource.per_page_param,
            {"minimum": 1, "maximum": resource.max_page_size, "default": resource.page_size},
        ),
        {
            "name": resource.sort_param,
            "in": "query",
            "schema": {"type": "string", "enum": sorts, "default": resource.default_sort},
        },
    ]
    if resource.search_field:
        label = resource.fields[resource.search_field].label.lower()
        parameters.append(
            {
                "name": resource.search_param,
                "in": "query",
                "description": f"Case-insensitive substring of the {label}, taken literally.",
                "schema": {"type": "string", "maxLength": resource.max_search_length},
            }
        )
    return parameters


# Pieces -------------------------------------------------------------------------


def ref(schema):
    return {"$ref": f"#/components/schemas/{schema}"}


def query_parameter(name, limits):
    return {"name": name, "in": "query", "schema": {"type": "integer", **limits}}


def json_body(schema):
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def json_response(description, schema, headers=None):
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def errors(statuses, own=None):
    """The shared error responses of ``statuses``; ``own`` replaces some of them."""
    own = own or {}
    return {
        status: own.get(status) or {"$ref": f"#/components/responses/{ERROR_NAMES[status]}"}
        for status in statuses
    }


# One event of /api/events (a comment line is no event).
SERVER_SENT_EVENT = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "id": {"type": "string", "description": "A resume token, for Last-Event-ID"},
        "event": {"enum": ["change", "reset"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
}
SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "The session cookie that logging in at /login sets.",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": 'The token in the index page\'s <meta name="csrf-token">.',
    },
}
PARAMETERS = {
    "ItemId": {
        "name": "item_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"},
    },
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "description": "The ETag the client last saw; 412 if the document has changed since.",
        "schema": {"type": "string"},
    },
}
ETAG = {
    "description": "The document's version, quoted.",
    "schema": {"type": "string"},
    "required": True,
}
NEXT_LINK = {
    "description": 'The next page, when there is one, by cursor: <...?after=...>; rel="next" '
    "(RFC 8288), in the same sort, search and page size.",
    "schema": {"type": "string"},
}
SHARED_SCHEMAS = {
    "Version": {"type": ["integer", "null"], "minimum": INT64_MIN, "maximum": INT64_MAX},
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {"type": "string", "description": "A message for a person."},
            "fields": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Each invalid field's messages.",
            },
        },
    },
}
ERROR_NAMES = {
    "400": "BadRequest",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "NotFound",
    "413": "TooLarge",
    "415": "UnsupportedMediaType",
    "503": "Unavailable",
}
ERROR_DESCRIPTIONS = {
    "400": "Malformed JSON, a body that is not an object, a field of the wrong type or an "
    "invalid value, or bad list parameters",
    "401": "Not logged in",
    "403": "Missing or wrong X-CSRFToken",
    "404": "No such document (or another user's)",
    "413": "Body over 64 KiB",
    "415": "The body is not application/json",
    "503": "The database is unreachable; try again after Retry-After seconds",
}
ERROR_RESPONSES = {
    ERROR_NAMES[status]: json_response(description, ref("Error"))
    for status, description in ERROR_DESCRIPTIONS.items()
}
ERROR_RESPONSES["Unavailable"]["headers"] = {
    "Retry-After": {"schema": {"type": "string"}, "required": True}
}
