"""Python Eve serving the same widgets collection, for comparison.

Runs from the bench environment only (bench/.venv), never the project's:

    MONGO_URI=... MONGO_DATABASE=... BENCH_OWNER_ID=... bench/.venv/bin/gunicorn bench.eve_app:app

Configured as close to Flaskbone as Eve allows: page size 20, the same sort,
the same owner scoping (a datasource filter), the same field names and length
limits. Eve's If-Match requirement is off because the benchmark's PUT and
DELETE send none (neither to Flaskbone, whose version check is optional too).
"""

import os

from bson import ObjectId
from eve import Eve

OWNER = ObjectId(os.environ["BENCH_OWNER_ID"])

SETTINGS = {
    "MONGO_URI": os.environ["MONGO_URI"].replace("/?", f"/{os.environ['MONGO_DATABASE']}?", 1),
    "MONGO_DBNAME": os.environ["MONGO_DATABASE"],
    "RESOURCE_METHODS": ["GET", "POST"],
    "ITEM_METHODS": ["GET", "PUT", "PATCH", "DELETE"],
    "PAGINATION_DEFAULT": 20,
    "PAGINATION_LIMIT": 100,
    "IF_MATCH": False,
    "DATE_CREATED": "created_at",
    "LAST_UPDATED": "updated_at",
    "DOMAIN": {
        "widgets": {
            "datasource": {
                "source": "widgets",
                "filter": {"owner_id": OWNER},
                "default_sort": [("created_at", -1), ("_id", -1)],
            },
            "schema": {
                "name": {"type": "string", "minlength": 1, "maxlength": 100, "required": True},
                "description": {"type": "string", "maxlength": 2000, "default": ""},
                "version": {"type": "integer", "readonly": True},
                "owner_id": {"type": "objectid", "default": OWNER},
            },
        }
    },
}

app = Eve(settings=SETTINGS)
