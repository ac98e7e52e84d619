# ruff: noqa: B023, S105, S311
# (B023: the lambdas run at once, inside the loop; S105/S311: a test password, a fixed shuffle.)
"""`make bench`: Flaskbone's API against a bare Flask+pymongo floor and Python Eve.

One run, one embedded database server (SecantusDB, a separate database per
server), three gunicorn servers with the same settings, wrk with one Lua
script, then growth with data, the front end's weight and speed, the login
cost and a profile of our code. Results: bench/results/results.json, the
chart docs/benchmarks.png and the report docs/benchmarks.md.

    .venv/bin/python bench/run.py            # the full run (about 15 minutes)
    .venv/bin/python bench/run.py --smoke    # seconds: floor + our app only, tiny data

The harness runs in the project's venv (it imports devtools.embedded_mongo);
Eve, matplotlib and pyinstrument live in bench/.venv, which it makes with uv
from bench/requirements.txt; Lighthouse lives in bench/node_modules.
"""

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from bson import ObjectId
from pymongo import DESCENDING, MongoClient, ReturnDocument

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from backend.resources.widgets import Widgets  # noqa: E402
from backend.settings import BCRYPT_ROUNDS  # noqa: E402
from devtools.embedded_mongo import EmbeddedMongo, free_port  # noqa: E402

BENCH_VENV = BENCH / ".venv"
LUA = BENCH / "lua" / "op.lua"
OPS = ("list", "get", "put", "post", "delete")  # PUT before POST grows the collection
FIELDS = ("_id", "name", "description", "created_at", "updated_at", "version")
SORT = [("created_at", DESCENDING), ("_id", DESCENDING)]
PASSWORD = "bench password 1234"

FULL = {
    "warmup": 2,
    "duration": 8,
    "rounds": 2,
    "connections": 8,
    "workers": 2,
    "threads": 4,
    "owner_docs": 200,
    "other_docs": 200,
    "db_samples": 30,
    "growth": (1_000, 10_000, 100_000),
    "growth_budget_s": 150,
    "eve": True,
    "frontend": True,
    "profile": True,
}
SMOKE = {
    **FULL,
    "warmup": 0,
    "duration": 1,
    "rounds": 1,
    "connections": 4,
    "owner_docs": 30,
    "other_docs": 10,
    "db_samples": 3,
    "growth": (100,),
    "eve": False,
    "frontend": False,
    "profile": False,
}


def log(*args):
    print(f"[bench {time.strftime('%H:%M:%S')}]", *args, flush=True)


def median(values):
    return statistics.median(values) if values else None


# Processes -----------------------------------------------------------------


class Processes:
    """Everything the harness starts, stopped in reverse order on exit."""

    def __init__(self):
        self.running = []

    def start(self, command, env=None, log_path=None, cwd=ROOT):
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
        process = subprocess.Popen(
            command,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    @staticmethod
    def stop(process):
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop_all(self):
        while self.running:
            self.stop(self.running.pop())


def wait_for_http(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            requests.get(url, timeout=1, allow_redirects=False)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


# Environments ----------------------------------------------------------------


def ensure_bench_venv():
    """bench/.venv from the pinned bench/requirements.txt, remade when it changes."""
    requirements = BENCH / "requirements.txt"
    stamp = BENCH_VENV / ".requirements-sha256"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    uv = ROOT / ".venv" / "bin" / "uv"
    log("making bench/.venv with uv from bench/requirements.txt")
    subprocess.run(
        [uv, "venv", "--quiet", "--allow-existing", "-p", sys.executable, BENCH_VENV], check=True
    )
    subprocess.run(
        [uv, "pip", "install", "--quiet", "-r", requirements],
        env={**os.environ, "VIRTUAL_ENV": str(BENCH_VENV)},
        check=True,
    )
    stamp.write_text(digest)


def ensure_lighthouse():
    stamp = BENCH / "node_modules" / ".installed"
    lock = BENCH / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    log("installing Lighthouse into bench/node_modules from bench/package-lock.json")
    # `npm install` keeps to the lock; `npm ci` refuses Lighthouse's optional-dependency entries.
    subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=BENCH, check=True)  # noqa: S607
    stamp.touch()


def ensure_wrk():
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk from Debian's packages")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)  # noqa: S607
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S607
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: sudo apt-get install wrk")
    return shutil.which("wrk")


def wrk_version():
    result = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return (result.stdout + result.stderr).splitlines()[0].split(" Copyright")[0].strip()


# Data ------------------------------------------------------------------------


def widget_documents(owner, count, prefix="Widget", start=None):
    start = start or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    docs = []
    for i in range(count):
        at = start + dt.timedelta(seconds=i)
        docs.append(
            {
                "_id": ObjectId(),
                "owner_id": owner,
                "name": f"{prefix} {i:06d}",
                "description": f"Description of {prefix.lower()} {i}. " * 3,
                "created_at": at,
                "updated_at": at,
                "version": 1,
            }
        )
    return docs


def insert_batched(collection, documents, batch=1000):
    for i in range(0, len(documents), batch):
        collection.insert_many(documents[i : i + batch], ordered=False)


# Servers ---------------------------------------------------------------------


class Server:
    def __init__(self, key, label, base, path, list_query, db, process):
        self.key, self.label, self.base, self.path = key, label, base, path
        self.list_query, self.db, self.process = list_query, db, process
        self.cookie = ""
        self.csrf = ""


def gunicorn_command(python, app, port, cfg):
    return [
        str(python), "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(cfg["workers"]),
        "--worker-class", "gthread",
        "--threads", str(cfg["threads"]),
        "--chdir", str(ROOT),
        "--graceful-timeout", "5",
        "--log-level", "warning",
    ]  # fmt: skip


def set_cookies(jar, response):
    for header in response.raw.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def cookie_header(jar):
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def csrf_from(html):
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def register(base, email, db):
    """Register through the HTML forms as a person does: (Cookie header, CSRF token).

    Registering logs nobody in: the account is verified by its emailed link,
    which a production server without SMTP_HOST never sends, so the harness
    marks the account verified itself, then logs in through the login form.
    """
    jar, call = _browser(base)
    page = call("GET", "/register")
    form = {
        "email": email,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": csrf_from(page.text),
    }
    response = call("POST", "/register", data=form)
    if response.status_code != 200 or db.users.count_documents({"email": email}) != 1:
        raise RuntimeError(f"registration failed: {response.status_code} {response.text[:300]}")
    db.users.update_one({"email": email}, {"$set": {"email_verified": True}})
    return _log_in(jar, call, email)


def another_user(base, email, db, like):
    """Another verified account with the password of ``like`` (its bcrypt hash
    copied), logged in through the form: (Cookie header, CSRF token). Hundreds
    registered from one address would meet the throttle of registrations."""
    model = db.users.find_one({"email": like})
    db.users.insert_one(
        {
            "email": email,
            "password_hash": model["password_hash"],
            "email_verified": True,
            "created_at": model["created_at"],
            "last_login_at": None,
        }
    )
    jar, call = _browser(base)
    return _log_in(jar, call, email)


def _browser(base):
    """A cookie jar and a request function that keeps it (production cookies are
    Secure, so the harness keeps them itself over http)."""
    jar = {}

    def call(method, path, **kwargs):
        headers = {"Cookie": cookie_header(jar)} if jar else {}
        response = requests.request(
            method, base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        set_cookies(jar, response)
        return response

    return jar, call


def _log_in(jar, call, email):
    login = {
        "email": email,
        "password": PASSWORD,
        "csrf_token": csrf_from(call("GET", "/login").text),
    }
    response = call("POST", "/login", data=login)
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code} {response.text[:300]}")
    token = csrf_from(call("GET", "/login").text)
    return cookie_header(jar), token


# Load ------------------------------------------------------------------------


def run_wrk(server, op, seconds, cfg, ids_file, out_file):
    env = {
        "BENCH_OP": op,
        "BENCH_PATH": server.path,
        "BENCH_QUERY": server.list_query,
        "BENCH_IDS": str(ids_file or ""),
        "BENCH_COOKIE": server.cookie,
        "BENCH_CSRF": server.csrf,
        "BENCH_OUT": str(out_file),
    }
    command = [
        "wrk", "-t1", f"-c{cfg['connections']}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(LUA), server.base,
    ]  # fmt: skip
    subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, check=True, timeout=seconds + 60
    )
    result = json.loads(Path(out_file).read_text())
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def write_ids(path, ids):
    Path(path).write_text("".join(f"{i}\n" for i in ids))
    return path


def posted_ids(db):
    return [d["_id"] for d in db.widgets.find({"name": {"$regex": "^bench post"}}, {"_id": 1})]


def bench_round(servers, cfg, owner, seeded_ids, work, round_no, order):
    """One pass over every operation, servers interleaved per operation."""
    results = {}
    for op in OPS:
        for server in order:
            ids_file = None
            pool = []
            if op in ("get", "put"):
                ids_file = write_ids(work / f"ids-{server.key}.txt", seeded_ids)
            if op == "delete":
                # What POST made goes first (directly), so every server deletes from the
                # same small collection; then a pool that outlasts the run at GET's rate.
                server.db.widgets.delete_many({"_id": {"$in": posted_ids(server.db)}})
                rate = results[(server.key, "get")]["rps"]
                needed = int(rate * (cfg["warmup"] + cfg["duration"]) * 1.6) + 50
                extra = widget_documents(owner, needed, prefix="bench delete pool")
                insert_batched(server.db.widgets, extra)
                pool = [d["_id"] for d in extra]
                ids_file = write_ids(work / f"pool-{server.key}.txt", pool)
            if cfg["warmup"]:
                run_wrk(server, op, cfg["warmup"], cfg, ids_file, work / "warmup.json")
                if op == "delete":  # the measured run starts after what warm-up deleted
                    time.sleep(1)  # warm-up's last in-flight requests finish server-side
                    left = {
                        d["_id"] for d in server.db.widgets.find({"_id": {"$in": pool}}, {"_id": 1})
                    }
                    pool = [i for i in pool if i in left]
                    ids_file = write_ids(ids_file, pool)
            result = run_wrk(server, op, cfg["duration"], cfg, ids_file, work / "out.json")
            if op == "delete":
                left = server.db.widgets.count_documents({"_id": {"$in": pool}})
                result["pool"] = len(pool)
                result["pool_exhausted"] = left == 0
                server.db.widgets.delete_many({"_id": {"$in": pool}})
            result["round"] = round_no
            results[(server.key, op)] = result
            log(
                f"round {round_no} {op:6} {server.key:5} {result['rps']:8.1f} req/s  "
                f"p50 {result['p50_us'] / 1000:7.2f} ms  p99 {result['p99_us'] / 1000:7.2f} ms  "
                f"non-2xx {result['errors_status']}"
            )
    return results


# The database's own cost -------------------------------------------------------


def timed(fn, samples):
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return median(times) * 1000


def db_costs(client, dbs, owner, session_id, seeded_ids, samples):
    """Median ms of the pymongo calls each server makes per request, run directly."""
    costs = {}
    ids = iter(seeded_ids * 100)
    q = {"owner_id": owner}
    for key, db in dbs.items():
        w = db.widgets
        session = (
            (lambda db=db: db.sessions.find_one({"_id": session_id}))
            if key == "us"
            else (lambda: None)
        )

        def list_call(key=key, w=w, session=session):
            session()
            list(w.find(q, FIELDS).sort(SORT).skip(0).limit(20))
            if key != "floor":
                w.count_documents(q)

        def get_call(w=w, session=session):
            session()
            w.find_one({"owner_id": owner, "_id": next(ids)}, FIELDS)

        made = []

        def post_call(w=w, session=session, made=made):
            session()
            doc = {"owner_id": owner, "name": "bench direct", "description": "", "version": 1}
            w.insert_one(doc)
            made.append(doc["_id"])

        def put_call(key=key, w=w, session=session):
            session()
            item = {"owner_id": owner, "_id": next(ids)}
            if key == "eve":  # Eve reads the original, then replaces it
                original = w.find_one(item)
                w.replace_one(item, {**original, "name": "bench direct put"})
            else:
                w.find_one_and_update(
                    item,
                    {"$set": {"name": "bench direct put"}, "$inc": {"version": 1}},
                    projection=FIELDS,
                    return_document=ReturnDocument.AFTER,
                )

        def delete_call(key=key, w=w, session=session, made=made):
            session()
            item = {"owner_id": owner, "_id": made.pop()}
            if key == "eve":  # Eve reads the original first
                w.find_one(item)
            w.delete_one(item)

        costs[key] = {
            "list": timed(list_call, samples),
            "get": timed(get_call, samples),
            "post": timed(post_call, samples),
            "put": timed(put_call, samples),
            "delete": timed(delete_call, samples),
        }
    return costs


def key_order_costs(db, owner, seeded_ids, samples):
    """SecantusDB plans by the filter's key order: {owner_id, _id} against {_id, owner_id}."""
    w = db.widgets
    item = seeded_ids[0]
    update = {"$inc": {"version": 0}}
    return {
        "find_one": {
            "owner_first": timed(lambda: w.find_one({"owner_id": owner, "_id": item}), samples),
            "id_first": timed(lambda: w.find_one({"_id": item, "owner_id": owner}), samples),
        },
        "delete_one": {
            "owner_first": timed(
                lambda: w.delete_one({"owner_id": owner, "_id": ObjectId()}), samples
            ),
            "id_first": timed(
                lambda: w.delete_one({"_id": ObjectId(), "owner_id": owner}), samples
            ),
        },
        "find_one_and_update": {
            "owner_first": timed(
                lambda: w.find_one_and_update({"owner_id": owner, "_id": item}, update), samples
            ),
            "id_first": timed(
                lambda: w.find_one_and_update({"_id": item, "owner_id": owner}, update), samples
            ),
        },
        "update_one": {
            "owner_first": timed(
                lambda: w.update_one({"owner_id": owner, "_id": item}, update), samples
            ),
            "id_first": timed(
                lambda: w.update_one({"_id": item, "owner_id": owner}, update), samples
            ),
        },
    }


# Growth ------------------------------------------------------------------------


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


def growth(server, cfg, work):
    """List (first and deep page) and item GET latency as one user's widgets grow."""
    cookie, csrf = register(server.base, "growth@bench.example", server.db)
    owner = server.db.users.find_one({"email": "growth@bench.example"})["_id"]
    headers = {"Cookie": cookie, "X-CSRFToken": csrf, "Accept": "application/json"}
    http = requests.Session()
    q = {"owner_id": owner}
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
        docs = widget_documents(
            owner, target - have, prefix="Growth", start=start + dt.timedelta(seconds=have)
        )
        t = time.perf_counter()
        insert_batched(server.db.widgets, docs)
        took = time.perf_counter() - t
        rate = len(docs) / took
        have = target
        log(f"growth: {have:,} widgets ({len(docs):,} inserted at {rate:,.0f}/s)")
        total = server.db.widgets.count_documents({})
        last_page = math.ceil(have / 20)
        item = docs[len(docs) // 2]["_id"]
        samples = 5 if have <= 10_000 else 3
        if cfg is SMOKE or cfg.get("smoke"):
            samples = 2

        def http_ms(url):
            times = []
            for _ in range(samples):
                t = time.perf_counter()
                r = http.get(server.base + url, headers=headers, timeout=120)
                times.append(time.perf_counter() - t)
                if r.status_code != 200:
                    raise RuntimeError(f"{url}: {r.status_code} {r.text[:200]}")
            return median(times) * 1000

        w = server.db.widgets
        row = {
            "widgets": have,
            "collection": total,
            "insert_per_s": rate,
            "deep_page": last_page,
            "http_first_ms": http_ms("/api/widgets?page=1"),
            "http_deep_ms": http_ms(f"/api/widgets?page={last_page}"),
            "http_get_ms": http_ms(f"/api/widgets/{item}"),
            "db_find_first_ms": timed(
                lambda: list(w.find(q, FIELDS).sort(SORT).limit(20)), samples
            ),
            "db_find_deep_ms": timed(
                lambda: list(w.find(q, FIELDS).sort(SORT).skip((last_page - 1) * 20).limit(20)),
                samples,
            ),
            "db_count_ms": timed(lambda: w.count_documents(q), samples),
            "db_get_ms": timed(
                lambda: w.find_one({"owner_id": owner, "_id": item}, FIELDS), samples
            ),
            "db_get_id_first_ms": timed(
                lambda: w.find_one({"_id": item, "owner_id": owner}, FIELDS), samples
            ),
        }
        sort = {"created_at": -1, "_id": -1}
        item_q = {"owner_id": owner, "_id": item}
        row["explain"] = {
            "list first page (find, sort, limit 20)": explain(
                server.db, {"find": "widgets", "filter": q, "sort": sort, "limit": 20}
            ),
            "list deep page (find, sort, skip, limit 20)": explain(
                server.db,
                {
                    "find": "widgets",
                    "filter": q,
                    "sort": sort,
                    "skip": (last_page - 1) * 20,
                    "limit": 20,
                },
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
        }
        rows.append(row)
        log(
            f"growth {have:>7,}: first {row['http_first_ms']:.1f} ms, deep {row['http_deep_ms']:.1f} ms, "
            f"item {row['http_get_ms']:.1f} ms (db: find {row['db_find_first_ms']:.1f}, "
            f"count {row['db_count_ms']:.1f}, get {row['db_get_ms']:.2f})"
        )
    server.db.widgets.delete_many({"owner_id": owner})
    return {"rows": rows, "notes": notes}


# Login cost --------------------------------------------------------------------


def login_cost():
    import bcrypt

    times = []
    for _ in range(5):
        t = time.perf_counter()
        bcrypt.hashpw(b"x" * 44, bcrypt.gensalt(BCRYPT_ROUNDS))
        times.append(time.perf_counter() - t)
    return {"rounds": BCRYPT_ROUNDS, "hash_ms": median(times) * 1000}


# Main ---------------------------------------------------------------------------


def best_of(rounds):
    """Per server and operation, the round with the highest throughput."""
    best = {}
    for results in rounds:
        for key, result in results.items():
            if key not in best or result["rps"] > best[key]["rps"]:
                best[key] = result
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="seconds-long run for CI: floor + our app"
    )
    parser.add_argument("--out", type=Path, help="results folder (default bench/results)")
    parser.add_argument(
        "--docs", type=Path, help="report path (default docs/benchmarks.md; smoke: in --out)"
    )
    parser.add_argument("--no-eve", action="store_true")
    parser.add_argument("--no-frontend", action="store_true")
    args = parser.parse_args(argv)
    cfg = dict(SMOKE if args.smoke else FULL)
    cfg["smoke"] = args.smoke
    if args.no_eve:
        cfg["eve"] = False
    if args.no_frontend:
        cfg["frontend"] = False
    out = args.out or BENCH / "results"
    out.mkdir(parents=True, exist_ok=True)
    docs_path = args.docs or (
        out / "benchmarks.md" if args.smoke else ROOT / "docs" / "benchmarks.md"
    )

    ensure_wrk()
    if cfg["eve"] or cfg["profile"] or not args.smoke:
        ensure_bench_venv()

    processes = Processes()
    work = Path(tempfile.mkdtemp(prefix="flaskbone-bench-"))

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    report = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "config": {k: v for k, v in cfg.items() if not callable(v)},
        "wrk": wrk_version(),
        "cpus": os.cpu_count(),
    }
    try:
        log("starting the embedded database (SecantusDB)")
        mongo = EmbeddedMongo.start(work / "db")
        processes.running.append(mongo.process)
        client = MongoClient(mongo.uri, tz_aware=True)
        report["secantusdb"] = _version("SecantusDB")

        # (a) our app, as deployed: production settings, gunicorn.
        ports = {"us": free_port(), "floor": free_port(), "eve": free_port()}
        secret = secrets.token_hex(32)
        us_env = {
            "APP_ENV": "production",
            "SECRET_KEY": secret,
            "MONGO_URI": mongo.uri,
            "MONGO_DATABASE": "bench_us",
        }
        project_python = ROOT / ".venv" / "bin" / "python"
        if not project_python.exists():
            project_python = Path(sys.executable)
        us_proc = processes.start(
            gunicorn_command(project_python, "backend:create_app()", ports["us"], cfg),
            us_env,
            out / "server-us.log",
        )
        us = Server("us", "Flaskbone", f"http://127.0.0.1:{ports['us']}", "/api/widgets", "?page=1",
                    client["bench_us"], us_proc)  # fmt: skip
        wait_for_http(us.base + "/healthz", us_proc)
        us.cookie, us.csrf = register(us.base, "bench@bench.example", us.db)
        owner = us.db.users.find_one({"email": "bench@bench.example"})["_id"]
        session_id = us.db.sessions.find_one({"user_id": owner})["_id"]
        common_env = {"MONGO_URI": mongo.uri, "BENCH_OWNER_ID": str(owner)}

        floor_proc = processes.start(
            gunicorn_command(project_python, "bench.floor_app:app", ports["floor"], cfg),
            {**common_env, "MONGO_DATABASE": "bench_floor"},
            out / "server-floor.log",
        )
        floor = Server("floor", "floor", f"http://127.0.0.1:{ports['floor']}", "/widgets", "",
                       client["bench_floor"], floor_proc)  # fmt: skip
        servers = [floor, us]
        if cfg["eve"]:
            eve_proc = processes.start(
                gunicorn_command(
                    BENCH_VENV / "bin" / "python", "bench.eve_app:app", ports["eve"], cfg
                ),
                {**common_env, "MONGO_DATABASE": "bench_eve"},
                out / "server-eve.log",
            )
            eve = Server("eve", "Eve", f"http://127.0.0.1:{ports['eve']}", "/widgets", "",
                         client["bench_eve"], eve_proc)  # fmt: skip
            servers.append(eve)
        for server in servers:
            wait_for_http(server.base + server.path, server.process)

        # The same data in each database: the owner's widgets and someone else's.
        other = ObjectId()
        seeded = widget_documents(owner, cfg["owner_docs"]) + widget_documents(
            other, cfg["other_docs"], prefix="Other"
        )
        for server in servers:
            server.db.widgets.create_indexes(Widgets.indexes)
            insert_batched(server.db.widgets, [dict(d) for d in seeded])
        seeded_ids = [str(d["_id"]) for d in seeded[: cfg["owner_docs"]]]
        random.Random(6).shuffle(seeded_ids)
        log(f"seeded {len(seeded)} widgets into each of {', '.join(s.db.name for s in servers)}")

        # Throughput: rounds with the servers' order reversed each time.
        rounds = []
        for round_no in range(1, cfg["rounds"] + 1):
            order = servers if round_no % 2 else list(reversed(servers))
            rounds.append(bench_round(servers, cfg, owner, seeded_ids, work, round_no, order))
        best = best_of(rounds)
        report["throughput"] = {f"{k[0]}/{k[1]}": v for k, v in best.items()}
        report["rounds"] = [{f"{k[0]}/{k[1]}": v for k, v in r.items()} for r in rounds]
        report["servers"] = [s.key for s in servers]

        log("timing the same pymongo calls directly (no HTTP)")
        report["db_cost_ms"] = db_costs(
            client, {s.key: s.db for s in servers}, owner, session_id, [ObjectId(i) for i in seeded_ids],
            cfg["db_samples"],
        )  # fmt: skip

        report["db_key_order_ms"] = key_order_costs(
            us.db, owner, [ObjectId(i) for i in seeded_ids], cfg["db_samples"]
        )
        report["growth"] = growth(us, cfg, work)
        report["login"] = login_cost()

        if cfg["profile"]:
            log("profiling our app in-process (pyinstrument)")
            report["profile"] = run_profile(mongo.uri, owner, out)

        if cfg["frontend"]:
            from frontend_bench import measure_frontend  # bench/frontend_bench.py

            report["frontend"] = measure_frontend(us, out, log, register, ensure_lighthouse)
    finally:
        log("stopping everything the bench started")
        pids = [p.pid for p in processes.running]
        processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    report["elapsed_s"] = time.monotonic() - started
    report["pids"] = pids
    (out / "results.json").write_text(json.dumps(report, indent=2, default=str))

    from report import write_report  # bench/report.py

    chart = make_chart(out, docs_path)
    write_report(report, docs_path, chart)
    if not args.smoke:
        import streams  # bench/streams.py: 200 live streams, its own section of the report

        streams.main(["--out", str(out), "--docs", str(docs_path)])
    log(
        f"wrote {docs_path}"
        + (f" and {chart}" if chart else "")
        + f" in {report['elapsed_s']:.0f} s"
    )
    return 0


def run_profile(mongo_uri, owner, out):
    command = [
        ROOT / ".venv" / "bin" / "python",
        BENCH / "profile_app.py",
        mongo_uri,
        str(owner),
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        log("profile failed:", result.stderr[-2000:])
        return {"error": result.stderr[-2000:]}
    return json.loads(result.stdout)


def make_chart(out, docs_path):
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        return None
    chart = docs_path.with_suffix(".png")
    command = [python, BENCH / "chart.py", out / "results.json", chart]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        log("chart failed:", result.stderr[-1500:])
        return None
    return chart


def _version(package):
    from importlib.metadata import version

    try:
        return version(package)
    except Exception:
        return "?"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
