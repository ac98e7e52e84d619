# ruff: noqa: B023
# (B023: the lambdas are timed at once, inside the loop that makes them.)
"""The database's own cost: each pymongo call an operation makes, timed directly, with its plan.

No HTTP and no framework: one client, calls in sequence, median ms. It says
what SecantusDB (the embedded server) charges for each call whoever makes it,
apart from what the servers' own code costs; `find_one_and_update`, for one,
is a collection scan in SecantusDB (a real mongod uses the `_id` index).
"""

import statistics
import time

from bson import ObjectId
from pymongo import DESCENDING, ReturnDocument

FIELDS = ("_id", "name", "description", "created_at", "updated_at", "version")
SORT = [("created_at", DESCENDING), ("_id", DESCENDING)]
SORT_SPEC = {"created_at": -1, "_id": -1}


def timed(fn, samples):
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def plan_summary(explain):
    def walk(stage, out):
        name = stage.get("stage", "?")
        if stage.get("indexName"):
            name += f"({stage['indexName']})"
        out.append(name)
        if "inputStage" in stage:
            walk(stage["inputStage"], out)
        return out

    stats = explain.get("executionStats", {})
    return {
        "plan": " <- ".join(walk(explain["queryPlanner"]["winningPlan"], [])),
        "keys": stats.get("totalKeysExamined"),
        "docs": stats.get("totalDocsExamined"),
        "returned": stats.get("nReturned"),
    }


def explain(db, command):
    return plan_summary(db.command("explain", command, verbosity="executionStats"))


def call_costs(db, owner, item_ids, samples):
    """Each call of the API's operations, as the floor and Flaskbone make it (`_id` first)."""
    w = db.widgets
    q = {"owner_id": owner}
    ids = iter(item_ids * (samples * 4 // len(item_ids) + 2))
    made = []

    def item():
        return {"_id": next(ids), "owner_id": owner}

    def insert():
        doc = {"owner_id": owner, "name": "bench direct", "description": "", "version": 1}
        w.insert_one(doc)
        made.append(doc["_id"])

    update = {"$set": {"name": "bench direct put"}, "$inc": {"version": 1}}
    some = {"_id": item_ids[0], "owner_id": owner}
    calls = {
        "list: find, sort, limit 20": (
            lambda: list(w.find(q, FIELDS).sort(SORT).limit(20)),
            {"find": "widgets", "filter": q, "sort": SORT_SPEC, "limit": 20},
        ),
        "list: count_documents (for total)": (
            lambda: w.count_documents(q),
            {"count": "widgets", "query": q},
        ),
        "item GET: find_one {_id, owner_id}": (
            lambda: w.find_one(item(), FIELDS),
            {"find": "widgets", "filter": some, "limit": 1},
        ),
        "PUT: find_one_and_update {_id, owner_id}": (
            lambda: w.find_one_and_update(
                item(), update, projection=FIELDS, return_document=ReturnDocument.AFTER
            ),
            {"findAndModify": "widgets", "query": some, "update": {"$inc": {"version": 0}}},
        ),
        "PUT as two calls: update_one, then find_one": (
            lambda: (lambda i: (w.update_one(i, update), w.find_one(i, FIELDS)))(item()),
            {"update": "widgets", "updates": [{"q": some, "u": {"$inc": {"version": 0}}}]},
        ),
        "POST: insert_one": (insert, None),
        "DELETE: delete_one {_id, owner_id}": (
            lambda: w.delete_one({"_id": made.pop(), "owner_id": owner}),
            {"delete": "widgets", "deletes": [{"q": {**some, "_id": ObjectId()}, "limit": 1}]},
        ),
    }
    costs = {}
    for name, (call, command) in calls.items():
        costs[name] = {"ms": timed(call, samples)}
        if command:
            costs[name]["explain"] = explain(db, command)
    w.delete_many({"_id": {"$in": made}})
    return costs


def key_order_costs(db, owner, item_id, samples):
    """SecantusDB plans by the filter's key order: {owner_id, _id} against {_id, owner_id}."""
    w = db.widgets
    update = {"$inc": {"version": 0}}
    orders = {
        "owner_first": lambda i: {"owner_id": owner, "_id": i},
        "id_first": lambda i: {"_id": i, "owner_id": owner},
    }
    calls = {
        "find_one": lambda f: w.find_one(f(item_id)),
        "delete_one": lambda f: w.delete_one(f(ObjectId())),
        "find_one_and_update": lambda f: w.find_one_and_update(f(item_id), update),
        "update_one": lambda f: w.update_one(f(item_id), update),
    }
    return {
        name: {order: timed(lambda: call(f), samples) for order, f in orders.items()}
        for name, call in calls.items()
    }
