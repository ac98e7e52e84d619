"""``BackboneResource``: one class that speaks ``Backbone.sync``, declared once.

Subclass it in a file of ``backend/resources/``, name a few attributes, and add
one line to ``backend/resources/__init__.py``::

    class Gadgets(BackboneResource):
        collection = "gadgets"
        item_name = "gadget"
        owner_field = "owner_id"
        fields = {"name": Line(required=True), "price": Number(minimum=0)}
        sort_fields = ("name", "price", "created_at")
        search_field = "name"

That answers::

    GET    /api/gadgets         the page envelope {"items", "page", "per_page", "total"},
                                by page number or after a cursor (backend/api/keyset.py)
    POST   /api/gadgets         201, Location, the new document
    GET    /api/gadgets/<id>    the document, with an ETag
    PUT    /api/gadgets/<id>    replace the editable fields (missing ones take their default)
    PATCH  /api/gadgets/<id>    change only the fields sent
    DELETE /api/gadgets/<id>    204

and from the same declaration come its validation (a :class:`JSONForm` made
from ``fields``; set ``add_form_class`` and ``edit_form_class`` for forms of
your own, as in djangbone), the fields it sends, the indexes its queries need,
its part of the OpenAPI document (``backend/api/openapi.py``) and the
description the front end builds its pages from (:meth:`describe`).

Every document carries ``created_at``, ``updated_at`` and ``version``, which the
resource manages. A PUT or PATCH whose body's ``version`` is not the stored one
answers 409, one whose ``If-Match`` is not the current ETag answers 412, both
with the current document, so no update is ever lost.

A resource must say whose its documents are: ``owner_field`` (each belongs to
the user who made it; to anyone else it does not exist), ``public = True``
(every logged-in user sees all of them), or a ``base_query`` of its own.
"""

import re
from datetime import datetime

from bson import Int64, ObjectId
from flask import Blueprint, abort, jsonify, make_response, request, url_for
from flask.views import MethodView
from flask_login import current_user
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from werkzeug.routing import BaseConverter

from backend.api.fields import Checkbox, Line, Number
from backend.api.forms import JSONForm
from backend.api.keyset import after_query, decode_cursor, encode_cursor
from backend.extensions import csrf, login_manager, mongo
from backend.security import protect_api
from backend.serialization import is_int64, utc_now

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MANAGED_FIELDS = ("created_at", "updated_at", "version")
MAX_PAGE = 1_000_000
# An ETag is the version as a plain decimal (see BackboneResource.etag).
VERSION_TAG = re.compile(r"0|[1-9][0-9]{0,18}")


class ObjectIdConverter(BaseConverter):
    """``<objectid:name>``: 24 hex digits; anything else is a 404 before the view runs."""

    regex = "[0-9a-fA-F]{24}"

    def to_python(self, value):
        return ObjectId(value)

    def to_url(self, value):
        return str(value)


class BackboneResource(MethodView):
    #: MongoDB collection holding the documents.
    collection = None
    #: The resource's name in URLs (``/api/<name>``, the app's ``/<name>``); the collection's.
    name = None
    #: ``{name: Field}`` (see ``backend/api/fields.py``): the editable fields, in order.
    fields = None
    #: Field holding the id of the user a document belongs to.
    owner_field = None
    #: True when every logged-in user may see and change every document.
    public = False
    #: Singular noun, for messages ("Widget not found.") and the front end.
    item_name = "item"
    #: Plural, for headings and navigation; defaults to the name, capitalised.
    label = None
    #: The field that names an item in lists and headings; the first of ``fields``.
    title_field = None
    #: Anonymous requests get 401 when true.
    login_required = True

    #: Fields sent in responses; made from ``fields`` when those are declared.
    public_fields = ("_id", *MANAGED_FIELDS)
    #: :class:`~backend.api.JSONForm` validating POST bodies; made from ``fields``.
    add_form_class = None
    #: Form validating PUT and PATCH bodies; defaults to ``add_form_class``.
    edit_form_class = None
    #: ``pymongo.IndexModel`` s the collection needs; made from the owner and sort fields.
    indexes = ()

    page_size = 20
    max_page_size = 100
    page_param = "page"
    #: The keyset parameter: the cursor of the item a page starts after.
    after_param = "after"
    #: ``total=true|false``: whether to count the list (see :meth:`total_wanted`).
    total_param = "total"
    per_page_param = "per_page"
    sort_param = "sort"
    search_param = "q"
    #: Fields the list may be sorted by; ``-name`` sorts descending.
    sort_fields = ("created_at",)
    default_sort = "-created_at"
    #: Field that ``q`` searches (case-insensitive substring), or None.
    search_field = None
    max_search_length = 100

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("name"):
            cls.name = cls.collection
        if "fields" in cls.__dict__:
            declare(cls)

    def base_query(self):
        """The filter every request of this view is confined to.

        Its fields are also stored on every new document, which is how a
        document comes to belong to its owner.
        """
        return self.owner_query(current_user.id) if self.owner_field else {}

    @classmethod
    def owner_query(cls, user_id):
        """The filter of ``user_id``'s documents, or None when they are not owned."""
        return {cls.owner_field: user_id} if cls.owner_field else None

    @classmethod
    def register(cls, app_or_blueprint, url=None, endpoint=None):
        """Wire the collection URL (``/api/<name>``) and the item URL ``<url>/<id>``."""
        check_scope(cls)
        missing = {"_id", *MANAGED_FIELDS} - set(cls.public_fields)
        if missing:
            raise TypeError(f"{cls.__name__}.public_fields must include {sorted(missing)}.")
        url = url or f"/api/{cls.name}"
        view = cls.as_view(endpoint or cls.collection)
        # Checked in dispatch_request instead, after the login check, so that
        # an expired session answers 401 (log in again), not 403.
        csrf.exempt(view)
        app_or_blueprint.add_url_rule(
            url, view_func=view, defaults={"item_id": None}, methods=["GET", "POST"]
        )
        app_or_blueprint.add_url_rule(
            f"{url}/<objectid:item_id>", view_func=view, methods=["GET", "PUT", "PATCH", "DELETE"]
        )

        def add_indexes(app):
            app.extensions["mongo"].add_indexes(cls.collection, list(cls.indexes))

        if isinstance(app_or_blueprint, Blueprint):
            app_or_blueprint.record_once(lambda state: add_indexes(state.app))
        else:
            add_indexes(app_or_blueprint)
        return view

    @classmethod
    def describe(cls):
        """What the front end builds this resource's pages from (the index's bootstrap)."""
        search = None
        if cls.search_field:
            label = cls.fields[cls.search_field].label.lower()
            search = {
                "param": cls.search_param,
                "field": cls.search_field,
                "label": f"Search by {label}",
                "max_length": cls.max_search_length,
            }
        return {
            "name": cls.name,
            "url": f"/api/{cls.name}",
            "label": cls.label,
            "item_label": cls.item_name.capitalize(),
            "title_field": cls.title_field,
            "fields": [field.describe() for field in cls.fields.values()],
            "sorts": sort_options(cls),
            "default_sort": cls.default_sort,
            "search": search,
            "page_size": cls.page_size,
        }

    # Dispatch ------------------------------------------------------------

    def dispatch_request(self, **kwargs):
        if self.login_required and not current_user.is_authenticated:
            return login_manager.unauthorized()
        if request.method not in SAFE_METHODS:
            protect_api()
        return super().dispatch_request(**kwargs)

    def get(self, item_id):
        if item_id is None:
            return self.list()
        response = self.document_response(self.find_or_404(item_id))
        # Only If-None-Match can change the answer: there is no Last-Modified to
        # compare and no Range to serve. Werkzeug's make_conditional does all of
        # that work, so it runs only for a request that asks (a browser's reload).
        return response.make_conditional(request) if request.if_none_match else response

    def post(self, item_id):
        form = self.add_form_class.from_json(self.json_body())
        if not form.validate():
            self.invalid(form.errors)
        now = utc_now()
        document = {
            **form.data,
            **self.base_query(),
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        self.documents.insert_one(document)
        response = self.document_response(document, 201)
        # The item URL is this collection URL and the id (register's rule):
        # written out, as url_for would search the URL map for it on every POST.
        response.headers["Location"] = f"{request.root_path}{request.path}/{document['_id']}"
        return response

    def put(self, item_id):
        body = self.json_body()
        form = self.edit_form().from_json(body)
        if not form.validate():
            self.invalid(form.errors)
        return self.update(item_id, body, form.data)

    def patch(self, item_id):
        body = self.json_body()
        form = self.edit_form().from_json(body)
        form.validate()
        sent = [field.name for field in form if field.name in body]
        errors = {name: form.errors[name] for name in sent if name in form.errors}
        if errors:
            self.invalid(errors)
        return self.update(item_id, body, {name: form.data[name] for name in sent})

    def delete(self, item_id):
        if not self.documents.delete_one(self.item_query(item_id)).deleted_count:
            self.not_found()
        return "", 204

    # Reading ---------------------------------------------------------------

    @property
    def documents(self):
        return mongo.db[self.collection]

    def list(self):
        """A page of the list: by page number (``page``), or after a cursor (``after``).

        One more item than the page is read, to tell whether a next page exists;
        when it does, the ``Link`` header names it by cursor in both modes, so a
        client may switch to keyset paging from any page.
        """
        per_page = self.int_param(self.per_page_param, self.page_size, 1, self.max_page_size)
        sort = self.sort_spec()
        query = {**self.base_query(), **self.search_query()}
        after = self.keyset_position(sort)
        counted = self.total_wanted(keyset=after is not None)
        if after is None:
            page = self.int_param(self.page_param, 1, 1, MAX_PAGE)
            offset = (page - 1) * per_page
            found = self.documents.find(query, self.public_fields).skip(offset)
        else:
            page, offset = None, 0
            (field, direction), _ = sort
            branches = after_query(field, direction, after["value"], after["_id"])
            # The scope in every branch, so that each is one bounded range of the
            # index; $and, as the search may be on the sort field too.
            found = self.documents.find(
                {"$or": [{"$and": [query, branch]} for branch in branches]}, self.public_fields
            )
        documents = found.sort(sort).limit(per_page + 1).to_list()
        more, documents = len(documents) > per_page, documents[:per_page]
        total = None
        if counted:
            if page is not None and not more and (documents or page == 1):
                total = offset + len(documents)  # the last page: no need to count
            else:
                total = self.documents.count_documents(query)
        items = [self.serialize(document) for document in documents]
        response = jsonify(items=items, page=page, per_page=per_page, total=total)
        if more:
            response.headers["Link"] = (
                f'<{self.next_url(sort, per_page, documents[-1])}>; rel="next"'
            )
        return response

    def keyset_position(self, sort):
        """The position that ``after`` names, checked against this request; None without it."""
        text = request.args.get(self.after_param)
        if text is None:
            return None
        if self.page_param in request.args:
            self.bad_request(f"Send {self.after_param} or {self.page_param}, not both.")
        position = decode_cursor(text)
        if position is None:
            self.bad_request(
                f"{self.after_param} is not a cursor of this list: send the one that the "
                'Link header (rel="next") of the previous page names.'
            )
        (field, direction), _ = sort
        made_for = sort_name(field, direction)
        if position["sort"] != made_for:
            self.bad_request(
                f"This {self.after_param} cursor was made for {self.sort_param}="
                f"{position['sort']}, not {made_for}: send that sort, or start again "
                f"without {self.after_param}."
            )
        if not self.is_sort_value(field, position["value"]):
            self.bad_request(f"This {self.after_param} cursor holds no valid {field}.")
        return position

    def is_sort_value(self, field, value):
        """True for a value the API may store in sort field ``field``, or null (missing).

        Exact types, as BSON decodes them: no bool for a number, and never a
        document or a regular expression, which a query would take as operators.
        """
        declared = self.fields.get(field) if self.fields else None
        allowed = MANAGED_TYPES.get(field) or (declared.python_types if declared else SCALAR_TYPES)
        return value is None or type(value) in allowed

    def total_wanted(self, keyset):
        """Whether to send ``total``: the client's ``total=true|false``, by default
        true for page numbers (a pager shows the page count) and false after a
        cursor ("Load more" and sync scripts need no count, and it costs a query)."""
        value = request.args.get(self.total_param)
        if value is None:
            return not keyset
        if value not in ("true", "false"):
            self.bad_request(f"{self.total_param} must be true or false.")
        return value == "true"

    def next_url(self, sort, per_page, last):
        """The URL of the page after ``last``, in this list's sort and search."""
        (field, direction), _ = sort
        name = sort_name(field, direction)
        params = {
            self.after_param: encode_cursor(name, last.get(field), last["_id"]),
            self.per_page_param: per_page,
            self.sort_param: name,
        }
        if self.search_field and request.args.get(self.search_param):
            params[self.search_param] = request.args[self.search_param]
        if self.total_param in request.args:
            params[self.total_param] = request.args[self.total_param]
        return url_for(request.endpoint, **params)

    def item_query(self, item_id):
        # _id first: the embedded development server plans by key order.
        return {"_id": item_id, **self.base_query()}

    def find_or_404(self, item_id):
        document = self.documents.find_one(self.item_query(item_id), self.public_fields)
        if document is None:
            self.not_found()
        return document

    @classmethod
    def serialize(cls, document):
        """The document as the API sends it: its public fields, in order."""
        return {field: document.get(field) for field in cls.public_fields}

    def int_param(self, name, default, minimum, maximum):
        value = request.args.get(name)
        if value is None:
            return default
        digits = value.isascii() and value.isdigit() and len(value) <= len(str(maximum))
        if not digits or not minimum <= int(value) <= maximum:
            self.bad_request(f"{name} must be a whole number from {minimum} to {maximum}.")
        return int(value)

    def sort_spec(self):
        value = request.args.get(self.sort_param, self.default_sort)
        field = value.removeprefix("-")
        if field not in self.sort_fields:
            allowed = ", ".join(self.sort_fields)
            self.bad_request(f"{self.sort_param} must be one of {allowed}, optionally after '-'.")
        direction = -1 if value.startswith("-") else 1
        # _id breaks ties, so that pages never repeat or skip a document.
        return [(field, direction), ("_id", direction)]

    def search_query(self):
        text = request.args.get(self.search_param, "")
        if not text or not self.search_field:
            return {}
        if len(text) > self.max_search_length:
            self.bad_request(
                f"{self.search_param} must be at most {self.max_search_length} characters."
            )
        # Escaped, so the text is matched literally, never as a pattern.
        pattern = re.escape(text).replace("\x00", "\\x00")
        return {self.search_field: {"$regex": pattern, "$options": "i"}}

    # Writing ---------------------------------------------------------------

    def edit_form(self):
        return self.edit_form_class or self.add_form_class

    def json_body(self):
        """The request's JSON object; 415 if it is not JSON, 400 if it is no object."""
        if not request.is_json:
            abort(
                self.error_response(415, "Send the body as JSON (Content-Type: application/json).")
            )
        body = request.get_json(silent=True)  # None when malformed
        if not isinstance(body, dict):
            self.bad_request("The request body must be a JSON object.")
        return body

    def update(self, item_id, body, changes):
        """Apply ``changes`` if the preconditions hold, in one atomic write."""
        query = self.item_query(item_id)
        preconditions = self.preconditions(body)
        document = self.documents.find_one_and_update(
            {**query, "$and": preconditions} if preconditions else query,
            {"$set": {**changes, "updated_at": utc_now()}, "$inc": {"version": 1}},
            projection=self.public_fields,
            return_document=ReturnDocument.AFTER,
        )
        if document is None:
            self.precondition_failed(query)
        return self.document_response(document)

    def preconditions(self, body):
        conditions = []
        if request.if_match and not request.if_match.star_tag:
            tags = request.if_match.as_set()
            versions = [
                # An empty tag ("") parses as None.
                int(tag)
                for tag in tags
                if tag and VERSION_TAG.fullmatch(tag) and is_int64(int(tag))
            ]
            conditions.append({"version": {"$in": versions}})
        if body.get("version") is not None:
            if not is_int64(body["version"]):
                self.invalid({"version": ["Must be a whole number."]})
            conditions.append({"version": body["version"]})
        return conditions

    def precondition_failed(self, query):
        """Explain why a conditional update matched nothing: 404, 412 or 409."""
        current = self.documents.find_one(query, self.public_fields)
        if current is None:
            self.not_found()
        if request.if_match and not request.if_match.contains(self.etag(current)):
            status, message = 412, f"This {self.item_name.lower()} has changed since you loaded it."
        else:
            status, message = 409, f"Someone else changed this {self.item_name.lower()}."
        abort(self.error_response(status, message, current=self.serialize(current)))

    # Responses -------------------------------------------------------------

    @staticmethod
    def etag(document):
        return str(document["version"])

    def document_response(self, document, status=200):
        response = jsonify(self.serialize(document))
        response.status_code = status
        response.set_etag(self.etag(document))
        return response

    @staticmethod
    def error_response(status, message, **extra):
        return make_response(jsonify(error=message, **extra), status)

    def invalid(self, fields):
        abort(
            self.error_response(400, f"{self.item_name.capitalize()} is not valid.", fields=fields)
        )

    def bad_request(self, message):
        abort(self.error_response(400, message))

    def not_found(self):
        abort(self.error_response(404, f"{self.item_name.capitalize()} not found."))


# Declaration ---------------------------------------------------------------

# Names a request body can never write: the id, what the resource manages, and
# names of the form class's own attributes.
RESERVED_NAMES = frozenset(
    {"_id", "id", *MANAGED_FIELDS}
    | {"data", "errors", "meta", "process", "validate", "populate_obj", "form_errors"}
)
MANAGED_SORT_LABELS = {
    "created_at": ("Oldest first", "Newest first"),
    "updated_at": ("Least recently updated", "Recently updated"),
}
SORT_LABELS = {
    "string": ("{}, A to Z", "{}, Z to A"),
    "integer": ("{}, lowest first", "{}, highest first"),
    "boolean": ("{}: no first", "{}: yes first"),
}


def declare(cls):
    """Derive what a resource with ``fields`` has not set by hand."""
    for name, field in cls.fields.items():
        if name in RESERVED_NAMES or name == cls.owner_field or name.startswith("$"):
            raise TypeError(f"{cls.__name__}.fields: {name!r} is managed by the resource.")
        field.bind(name)
    for name in cls.sort_fields:
        if name not in cls.fields and name not in MANAGED_FIELDS:
            raise TypeError(f"{cls.__name__}: {name!r} is not one of its fields.")
    # q is matched as a substring: only a string field can be searched.
    if cls.search_field and not isinstance(cls.fields.get(cls.search_field), Line):
        raise TypeError(
            f"{cls.__name__}: search_field {cls.search_field!r} is not one of its Line or Text fields."
        )
    own = cls.__dict__
    cls.label = cls.label or cls.name.replace("_", " ").capitalize()
    cls.title_field = cls.title_field or next(iter(cls.fields))
    if "public_fields" not in own:
        cls.public_fields = ("_id", *cls.fields, *MANAGED_FIELDS)
    if "add_form_class" not in own:
        form_fields = {name: field.form_field() for name, field in cls.fields.items()}
        cls.add_form_class = type(f"{cls.__name__}Form", (JSONForm,), form_fields)
    if "indexes" not in own and cls.owner_field:
        # Every list query is {owner: ...} sorted by one field then _id, so one
        # index per sort field answers it without a collection scan, either way.
        cls.indexes = [
            IndexModel([(cls.owner_field, ASCENDING), (field, DESCENDING), ("_id", DESCENDING)])
            for field in cls.sort_fields
        ]


def check_scope(cls):
    """Secure by default: a resource must say whose its documents are."""
    custom_scope = cls.base_query is not BackboneResource.base_query
    if not (cls.owner_field or cls.public or custom_scope):
        raise TypeError(
            f"{cls.__name__} does not say whose its documents are: set owner_field "
            '(for example "owner_id"), or public = True if every user may see and '
            "change all of them, or define base_query."
        )
    if cls.owner_field and cls.public:
        raise TypeError(f"{cls.__name__} sets both owner_field and public = True: choose one.")


# The Python types of stored sort values (as BSON decodes them), for checking a
# cursor's: by field type, and any of them for a field of a hand-made form.
MANAGED_TYPES = {"created_at": {datetime}, "updated_at": {datetime}, "version": {int, Int64}}
SCALAR_TYPES = {datetime, float}.union(
    Line.python_types, Number.python_types, Checkbox.python_types
)


def sort_name(field, direction):
    """The ``sort`` parameter's value for a sort: ``name`` or ``-name``."""
    return field if direction > 0 else f"-{field}"


def sort_options(cls):
    """The list's sort menu: both directions of each sort field, the default first."""
    options = []
    for name in cls.sort_fields:
        if name in MANAGED_SORT_LABELS:
            ascending, descending = MANAGED_SORT_LABELS[name]
        else:
            field = cls.fields[name]
            ascending, descending = (label.format(field.label) for label in SORT_LABELS[field.type])
        options += [{"value": name, "label": ascending}, {"value": f"-{name}", "label": descending}]
    options.sort(key=lambda option: option["value"] != cls.default_sort)
    return options
