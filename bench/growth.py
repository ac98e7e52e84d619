"""Growth: Flaskbone's list (first and deep page) and item GET as one user's widgets grow.

Sequential requests over HTTP (median), beside the same pymongo calls made
directly and their plans. The deep page is reached two ways when the server
offers both: by page number (`skip`) and by following the `Link: <...>;
rel="next"` header of the page before it (keyset paging, `after=<cursor>`);
a server that sends no Link header gets no keyset column.
"""

import datetime as dt
import math
import time
from urllib.parse import urljoin

import requests
from bson import ObjectId
from data import insert_batched, register, widget_documents
from dbcost import FIELDS, SORT, SORT_SPEC, explain, timed

PAGE_SIZE = 20


def http_ms(http, url, headers, samples):
    """Median ms of ``samples`` GETs of ``url``, each checked to answer 200."""
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        response = http.get(url, headers=headers, timeout=300)
        times.append(time.perf_counter() - t)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code} {response.text[:200]}")
    return sorted(times)[len(times) // 2] * 1000


def next_link(http, url, headers):
    """The absolute URL of the page after ``url`` (its Link rel="next"), or None."""
    response = http.get(url, headers=headers, timeout=300)
    target = response.links.get("next", {}).get("url")
    return urljoin(url, target) if target else None


def insert_up_to(server, owner, have, target, start):
    docs = widget_documents(
        owner, target - have, prefix="Growth", start=start + dt.timedelta(seconds=have)
    )
    t = time.perf_counter()
    insert_batched(server.db.widgets, docs)
    return docs, len(docs) / (time.perf_counter() - t)


def growth(server, cfg, log):
    """One row per size in cfg["growth"], within cfg["growth_budget_s"] of inserting each.

    The widgets stay in the server's database: measure nothing there afterwards."""
    cookie, csrf = register(server.base, "growth@bench.example", server.db)
    owner = server.db.users.find_one({"email": "growth@bench.example"})["_id"]
    headers = {"Cookie": cookie, "X-CSRFToken": csrf, "Accept": "application/json"}
    http = requests.Session()
    rows, notes = [], []
    have, rate = 0, None
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for target in cfg["growth"]:
        if rate and (target - have) / rate > cfg["growth_budget_s"]:
            feasible = int(have + rate * cfg["growth_budget_s"]) // 10_000 * 10_000
            notes.append(
                f"{target:,} widgets would take {(target - have) / rate:.0f} s to insert at "
                f"{rate:,.0f}/s; measured at {feasible:,} instead."
            )
            target = feasible
            if target <= have:
                break
        docs, rate = insert_up_to(server, owner, have, target, start)
        have = target
        log(f"growth: {have:,} widgets ({len(docs):,} inserted at {rate:,.0f}/s)")
        # Fewer samples as each request grows to seconds: the figure is the growth.
        samples = 2 if cfg["smoke"] else 5 if have <= 1_000 else 3 if have <= 10_000 else 1
        row = measure_size(server, http, headers, owner, docs[len(docs) // 2]["_id"], have, samples)
        row["insert_per_s"] = rate
        rows.append(row)
        log(
            f"growth {have:>7,}: first {row['http_first_ms']:.1f} ms, deep {row['http_deep_ms']:.1f} ms"
            + (
                f", deep by Link {row['http_deep_after_ms']:.1f} ms"
                if row["http_deep_after_ms"]
                else ""
            )
            + f", item {row['http_get_ms']:.1f} ms"
        )
    if rows and rows[-1]["http_deep_after_ms"] is None:
        notes.append('The server sent no `Link: <...>; rel="next"` header: no keyset column.')
    return {"rows": rows, "notes": notes}


def measure_size(server, http, headers, owner, item, have, samples):
    api = server.base + server.path
    last_page = math.ceil(have / PAGE_SIZE)
    after_url = next_link(http, f"{api}?page={last_page - 1}", headers) if last_page > 1 else None
    w = server.db.widgets
    q = {"owner_id": owner}
    skip = (last_page - 1) * PAGE_SIZE
    item_q = {"_id": item, "owner_id": owner}
    return {
        "widgets": have,
        "collection": w.count_documents({}),
        "deep_page": last_page,
        "http_first_ms": http_ms(http, f"{api}?page=1", headers, samples),
        "http_deep_ms": http_ms(http, f"{api}?page={last_page}", headers, samples),
        "http_deep_after_ms": after_url and http_ms(http, after_url, headers, samples),
        "http_get_ms": http_ms(http, f"{api}/{item}", headers, samples),
        "db_find_first_ms": timed(lambda: list(w.find(q, FIELDS).sort(SORT).limit(20)), samples),
        "db_find_deep_ms": timed(
            lambda: list(w.find(q, FIELDS).sort(SORT).skip(skip).limit(20)), samples
        ),
        "db_count_ms": timed(lambda: w.count_documents(q), samples),
        "db_get_ms": timed(lambda: w.find_one(item_q, FIELDS), samples),
        "explain": {
            "list first page (find, sort, limit 20)": explain(
                server.db, {"find": "widgets", "filter": q, "sort": SORT_SPEC, "limit": 20}
            ),
            "list deep page (find, sort, skip, limit 20)": explain(
                server.db,
                {"find": "widgets", "filter": q, "sort": SORT_SPEC, "skip": skip, "limit": 20},
            ),
            "list total (count)": explain(server.db, {"count": "widgets", "query": q}),
            "item GET (find_one by _id, owner_id)": explain(
                server.db, {"find": "widgets", "filter": item_q, "limit": 1}
            ),
            "PUT (findAndModify by _id, owner_id)": explain(
                server.db,
                {"findAndModify": "widgets", "query": item_q, "update": {"$inc": {"version": 0}}},
            ),
            "DELETE (delete by _id, owner_id)": explain(
                server.db,
                {
                    "delete": "widgets",
                    "deletes": [{"q": {**item_q, "_id": ObjectId()}, "limit": 1}],
                },
            ),
        },
    }
