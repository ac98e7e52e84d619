"""The floor: the least any Flask + MongoDB JSON API can cost per request.

One minimal Flask view per operation, each doing the same single pymongo call
as Flaskbone's API and encoding the answer with ``json``: no validation, no
login, no CSRF, no paging parameters, no count. Every document belongs to the
owner named by ``BENCH_OWNER_ID``, as Flaskbone scopes widgets to their owner,
and the filters are Flaskbone's own, key order included (``{_id, owner_id}``:
SecantusDB plans by key order, see docs/benchmarks.md), so both servers ask
the database for exactly the same work.

    MONGO_URI=... MONGO_DATABASE=... BENCH_OWNER_ID=... gunicorn bench.floor_app:app
"""

import json
import os
from datetime import UTC, datetime

from bson import ObjectId
from flask import Flask, Response, request
from pymongo import DESCENDING, MongoClient, ReturnDocument

app = Flask(__name__)
OWNER = ObjectId(os.environ["BENCH_OWNER_ID"])
FIELDS = ("_id", "name", "description", "created_at", "updated_at", "version")
_client = {}


def widgets():
    # One client per process (gunicorn forks before the first request).
    pid = os.getpid()
    if pid not in _client:
        client = MongoClient(os.environ["MONGO_URI"], tz_aware=True)
        _client[pid] = client[os.environ["MONGO_DATABASE"]]["widgets"]
    return _client[pid]


def answer(data, status=200):
    return Response(json.dumps(data, default=str), status, mimetype="application/json")


@app.get("/widgets")
def list_widgets():
    cursor = (
        widgets()
        .find({"owner_id": OWNER}, FIELDS)
        .sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        .limit(20)
    )
    return answer({"items": list(cursor)})


@app.post("/widgets")
def create_widget():
    now = datetime.now(UTC)
    document = {
        **request.get_json(),
        "owner_id": OWNER,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    widgets().insert_one(document)
    return answer(document, 201)


@app.get("/widgets/<item_id>")
def get_widget(item_id):
    return answer(widgets().find_one({"_id": ObjectId(item_id), "owner_id": OWNER}, FIELDS))


@app.put("/widgets/<item_id>")
def put_widget(item_id):
    document = widgets().find_one_and_update(
        {"_id": ObjectId(item_id), "owner_id": OWNER},
        {"$set": {**request.get_json(), "updated_at": datetime.now(UTC)}, "$inc": {"version": 1}},
        projection=FIELDS,
        return_document=ReturnDocument.AFTER,
    )
    return answer(document)


@app.delete("/widgets/<item_id>")
def delete_widget(item_id):
    widgets().delete_one({"_id": ObjectId(item_id), "owner_id": OWNER})
    return "", 204
