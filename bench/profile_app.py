"""Where our API's time goes: pyinstrument over in-process requests, by category.

    .venv/bin/python bench/profile_app.py MONGO_URI OWNER_ID OUT_DIR

Runs the production app (as `make bench` deploys it) with Flask's test client
against the bench's database, so HTTP and gunicorn are left out and only our
code, Flask's and pymongo's remain. pyinstrument comes from bench/.venv. Prints
JSON: per operation, milliseconds per request in each category; the full
pyinstrument text goes to OUT_DIR/profile-<op>.txt.
"""

import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.extend(str(p) for p in (ROOT / "bench" / ".venv" / "lib").glob("python*/site-packages"))

from bson import ObjectId  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from backend import create_app  # noqa: E402

# Each sample goes to the highest category (in this order) that any frame on its
# stack belongs to: a pymongo call inside the session loader counts as pymongo.
CATEGORIES = [
    ("pymongo: driver + database wait", re.compile(r"/(pymongo|bson)/")),
    ("session load (Flask-Login, sessions lookup)", re.compile(r"flask_login/|auth/models\.py")),
    ("CSRF check (Flask-WTF)", re.compile(r"flask_wtf/csrf")),
    (
        "form validation (WTForms, api/forms)",
        re.compile(r"wtforms/|backend/api/forms|backend/api/fields"),
    ),
    (
        "JSON encoding (jsonify, serialization)",
        re.compile(r"flask/json|backend/serialization|/json/"),
    ),
    (
        "response helpers (ETag, make_conditional)",
        re.compile(r"werkzeug/(sansio/)?response|werkzeug/http"),
    ),
    ("security headers, assets (after_request)", re.compile(r"backend/(security|assets)\.py")),
    ("our resource code (rest of backend/)", re.compile(r"backend/")),
    ("Werkzeug request, routing, test client", re.compile(r"werkzeug/")),
    ("Flask dispatch, context, sessions", re.compile(r"flask/")),
]


def categorize(frame, best, totals):
    path = frame.file_path or ""
    for rank, (_, pattern) in enumerate(CATEGORIES):
        if rank < best and pattern.search(path):
            best = rank
            break
    own = frame.time - sum(child.time for child in frame.children)
    if own > 0:
        key = CATEGORIES[best][0] if best < len(CATEGORIES) else "other (test client, stdlib)"
        totals[key] = totals.get(key, 0) + own
    for child in frame.children:
        categorize(child, best, totals)


def main():
    mongo_uri, owner, out = sys.argv[1], ObjectId(sys.argv[2]), Path(sys.argv[3])
    app = create_app(
        {
            "APP_ENV": "production",
            "SECRET_KEY": os.urandom(16).hex(),
            "MONGO_URI": mongo_uri,
            "MONGO_DATABASE": "bench_us",
        }
    )
    test_client = app.test_client()

    class Client:
        """Production cookies are Secure and CSRF checks the Referer over HTTPS."""

        def open(self, url, method="GET", headers=None, **kwargs):
            headers = {"Referer": "https://localhost/", **(headers or {})}
            return test_client.open(
                url, method=method, base_url="https://localhost", headers=headers, **kwargs
            )

        def get(self, url, **kw):
            return self.open(url, "GET", **kw)

        def post(self, url, **kw):
            return self.open(url, "POST", **kw)

        def put(self, url, **kw):
            return self.open(url, "PUT", **kw)

        def delete(self, url, **kw):
            return self.open(url, "DELETE", **kw)

    client = Client()
    from pymongo import MongoClient

    db = MongoClient(mongo_uri)["bench_us"]
    session_cookie = _login(client)
    headers = {"X-CSRFToken": session_cookie[1], "Accept": "application/json"}
    ids = [str(d["_id"]) for d in db.widgets.find({"owner_id": owner}, {"_id": 1}).limit(50)]
    count = {"list": 60, "get": 200, "post": 200, "put": 60, "delete": 150}
    made = []
    plans = {
        "list": lambda i: client.get("/api/widgets?page=1", headers=headers),
        "get": lambda i: client.get(f"/api/widgets/{ids[i % len(ids)]}", headers=headers),
        "post": lambda i: made.append(
            client.post(
                "/api/widgets", json={"name": f"profile {i}", "description": "x"}, headers=headers
            )
        ),
        "put": lambda i: client.put(
            f"/api/widgets/{ids[i % len(ids)]}",
            json={"name": f"put {i}", "description": "y"},
            headers=headers,
        ),
        "delete": lambda i: client.delete(
            f"/api/widgets/{made.pop().get_json()['_id']}", headers=headers
        ),
    }
    result = {}
    for op, plan in plans.items():
        plan(0)  # warm
        if op == "post":
            made.clear()
        profiler = Profiler(interval=0.0002)
        t = time.perf_counter()
        profiler.start()
        for i in range(count[op]):
            response = plan(i)
            if op not in ("post",) and response.status_code >= 400:
                raise SystemExit(
                    f"{op}: {response.status_code} {response.get_data(as_text=True)[:200]}"
                )
        profiler.stop()
        wall = (time.perf_counter() - t) / count[op] * 1000
        (out / f"profile-{op}.txt").write_text(
            profiler.output_text(unicode=False, color=False, show_all=False)
        )
        totals = {}
        categorize(profiler.last_session.root_frame(), len(CATEGORIES), totals)
        n = count[op]
        result[op] = {
            "requests": n,
            "wall_ms": wall,
            "categories_ms": {
                k: v / n * 1000 for k, v in sorted(totals.items(), key=lambda kv: -kv[1])
            },
        }
    db.widgets.delete_many({"name": {"$regex": "^profile "}})
    print(json.dumps(result))


def _login(client):
    email = "bench@bench.example"
    # The bench user exists: log in as it (same password as bench/run.py).
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/login", data={"email": email, "password": "bench password 1234", "csrf_token": token}
    )
    if response.status_code != 302:
        raise SystemExit(f"login failed: {response.get_data(as_text=True)[:300]}")
    html = client.get("/login").get_data(as_text=True)
    return None, re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


if __name__ == "__main__":
    main()
