"""The load: wrk runs of one operation against one server, checked and measured.

Every timed run is preceded by checks that the server answers what the
others answer (a full page of the same ids), and followed by checks that it
answered nothing but 2xx; a failed check stops the bench (BenchError) rather
than publish a figure of the wrong work.
"""

import json
import os
import subprocess
import time
from pathlib import Path
from statistics import median

import requests
from data import insert_batched, widget_documents, write_ids

BENCH = Path(__file__).resolve().parent
LUA = BENCH / "lua" / "op.lua"
OPS = ("list", "get", "put", "post", "delete")  # PUT before POST: same collection size for PUT
PAGE_SIZE = 20


class BenchError(RuntimeError):
    """A server answered something other than what is being measured."""


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


# Checks -------------------------------------------------------------------------------


def list_ids(server):
    """The ids of the server's first page, as the timed list requests it."""
    url = server.base + server.path + server.list_query
    response = requests.get(url, headers=server.headers(), timeout=30)
    if response.status_code != 200:
        raise BenchError(f"{server.label} list: {response.status_code} {response.text[:300]}")
    return [item["_id"] for item in response.json()[server.items_key]]


def check_lists(servers, expected):
    """Each server's list is a full page, the same ids in the same order as the floor's.

    ``expected`` is the first page the seeded data gives for the floor's
    filter and sort; the floor is checked against it too.
    """
    for server in servers:
        ids = list_ids(server)
        if ids != expected:
            raise BenchError(
                f"{server.label}'s list is not the floor's page of {len(expected)}: "
                f"{len(ids)} items, first {ids[:3]} (expected {expected[:3]})"
            )


def check_item(servers, item_id):
    """Each server answers an item GET with that item."""
    for server in servers:
        response = requests.get(
            f"{server.base}{server.path}/{item_id}", headers=server.headers(), timeout=30
        )
        if response.status_code != 200 or response.json().get("_id") != item_id:
            raise BenchError(
                f"{server.label} item GET: {response.status_code} {response.text[:300]}"
            )


def check_answers(server, op, result, warm_up=False):
    """Every request of the run answered, and answered 2xx (a warm-up of a slow
    operation may end before any answer)."""
    failures = {
        "non-2xx": result["non2xx"],
        "connect errors": result["errors_connect"],
        "read errors": result["errors_read"],
        "write errors": result["errors_write"],
        "timeouts": result["errors_timeout"],
    }
    bad = {name: n for name, n in failures.items() if n}
    if bad or not (result["requests"] or warm_up):
        first = f" (first status {result['first_non2xx']})" if result["non2xx"] else ""
        raise BenchError(
            f"{server.label} {op}: {result['requests']} requests, {bad}{first}; "
            f"see its log, server-{server.key}.log"
        )


# Measuring ----------------------------------------------------------------------------


def settle(server, quiet_s=0.3, limit_s=5):
    """Wait until the server and its database stop using CPU: what wrk left in
    flight is answered (the database counts too: a slow request waits on it)."""

    def busy():
        sample = server.sample()
        return sample["cpu_s"] + sample["db_cpu_s"]

    deadline = time.monotonic() + limit_s
    before = busy()
    while time.monotonic() < deadline:
        time.sleep(quiet_s)
        now = busy()
        if now - before < 0.02:
            return
        before = now


def measured_run(server, op, seconds, cfg, ids_file, out_file):
    """A timed run, with the CPU of the server's processes and of its database around it.

    CPU/req is the CPU time of the gunicorn master and all its workers (and of
    the database process, apart) divided by the requests the server answered.
    wrk keeps every connection busy, so when it stops, each connection has one
    request in flight that the server still answers (its CPU counts) but wrk
    does not count: the server answered wrk's count plus the connections.
    POST checks this (check_own_database); it matters where requests are slow.
    """
    before = server.sample()
    result = run_wrk(server, op, seconds, cfg, ids_file, out_file)
    settle(server)
    after = server.sample()
    n = result["requests"] + cfg["connections"]
    result["served"] = n
    result["cpu_s"] = after["cpu_s"] - before["cpu_s"]
    result["db_cpu_s"] = after["db_cpu_s"] - before["db_cpu_s"]
    # The harness's own serverStatus call between the two readings is one operation.
    result["db_ops"] = after["db_ops"] - before["db_ops"] - 1
    result["cpu_ms_per_req"] = result["cpu_s"] / n * 1000
    result["db_cpu_ms_per_req"] = result["db_cpu_s"] / n * 1000
    result["db_ops_per_req"] = result["db_ops"] / n
    result["workers_replaced"] = before["workers"] != after["workers"]
    return result


def pool(server, owner, rate, seconds, prefix, work):
    """Widgets for DELETE to remove, each once: enough for ``seconds`` at 1.5x ``rate``.
    Returns the file of their ids."""
    docs = widget_documents(owner, int(rate * seconds * 1.5) + 100, prefix=prefix)
    insert_batched(server.db.widgets, docs)
    path = work / f"{prefix.replace(' ', '-')}-{server.key}.txt"
    return write_ids(path, [d["_id"] for d in docs])


def posted(server):
    return server.db.widgets.count_documents({"name": {"$regex": "^bench post"}})


def delete_rate(server, rates):
    """The pace a server's DELETE pools are sized for: its own (its item GET or POST
    rate, whichever is higher), not the fastest server's. Eve looks items up by
    `{$and: [{_id}, {owner_id}]}`, which SecantusDB answers by walking all the
    owner's widgets, so a pool made for the floor's pace would slow Eve's every
    DELETE to seconds."""
    return max(rates[server.key, "get"], rates[server.key, "post"])


def check_pool_lasted(server):
    """Some of the slice's pool is left (a spent pool ends wrk early), then all goes."""
    # By name: SecantusDB takes seconds over an `$in` of thousands of ids.
    left = server.db.widgets.count_documents({"name": {"$regex": "^bench pool "}})
    server.db.widgets.delete_many({"name": {"$regex": "^bench (warm )?pool"}})
    if not left:
        raise BenchError(f"{server.label} delete: its pool ran out; make the pools larger")


def request_ids(server, op, owner, seeded_ids_file, rates, work, seconds, prefix):
    """The id file a run of ``op`` walks: item GET and PUT the seeded widgets, DELETE
    a pool of its own for ``seconds`` (``prefix`` names it); list and POST need none."""
    if op == "delete":
        return pool(server, owner, delete_rate(server, rates), seconds, prefix, work)
    return seeded_ids_file if op in ("get", "put") else None


def warm_up(server, op, cfg, owner, seeded_ids_file, rates, work):
    """An untimed run of the operation, so the timed slices meet a warm server.

    Before DELETE, what POST made goes; DELETE's warm-up takes a pool of its
    own, disjoint from the timed slices' (no request asks for a widget gone)."""
    if op == "delete":
        server.db.widgets.delete_many({"name": {"$regex": "^bench post"}})
    if cfg["warmup"]:
        ids = request_ids(server, op, owner, seeded_ids_file, rates, work,
                          cfg["warmup"], "bench warm pool")  # fmt: skip
        warm = run_wrk(server, op, cfg["warmup"], cfg, ids, work / "warmup.json")
        check_answers(server, f"{op} (warm-up)", warm, warm_up=True)
        settle(server)


def timed_slice(server, op, cfg, owner, seeded_ids_file, rates, work):
    """One timed slice of one operation on one server, checked."""
    ids = request_ids(server, op, owner, seeded_ids_file, rates, work,
                      cfg["slice_s"], "bench pool")  # fmt: skip
    posts_before = posted(server) if op == "post" else 0
    result = measured_run(server, op, cfg["slice_s"], cfg, ids, work / "out.json")
    check_answers(server, op, result)
    if op == "post":
        check_own_database(server, posted(server) - posts_before, result, cfg)
    if op == "delete":
        check_pool_lasted(server)
    return result


def check_own_database(server, made, result, cfg):
    """What the server's POSTs made is in its own database (each server has one), as
    many as wrk counted plus at most one in flight per connection."""
    answered = result["requests"]
    result["made"] = made
    if not answered <= made <= answered + cfg["connections"]:
        raise BenchError(
            f"{server.label}: {answered} POSTs answered but {made} widgets made in "
            f"{server.db.name} of its own database server"
        )


def bench_op(servers, op, cfg, owner, seeded_ids_file, rates, work, log):
    """Every server warmed up, then ``cfg["slices"]`` short timed slices each, the
    servers taking turns in an order rotated every slice: [{server key: result}, ...].

    This machine's speed drifts (the same server's CPU/req can double within
    minutes on a shared VM), so one long run per server would compare moments
    apart. Slices a few seconds long, interleaved, put every server's figures
    at the same moments, and comparing servers slice by slice cancels the drift.
    """
    for server in servers:
        warm_up(server, op, cfg, owner, seeded_ids_file, rates, work)
    slices = []
    for slice_no, order in enumerate(rotations(servers, cfg["slices"]), start=1):
        results = {}
        for server in order:
            result = timed_slice(server, op, cfg, owner, seeded_ids_file, rates, work)
            results[server.key] = result
            log(
                f"{op:6} slice {slice_no} {server.key:5} {result['rps']:8.1f} req/s  "
                f"p50 {result['p50_us'] / 1000:6.2f} ms  p99 {result['p99_us'] / 1000:6.1f} ms  "
                f"CPU/req {result['cpu_ms_per_req']:5.2f} ms  DB {result['db_cpu_ms_per_req']:5.2f} ms  "
                f"DB ops/req {result['db_ops_per_req']:4.2f}"
            )
        slices.append(results)
    return slices


def rotations(servers, count):
    """The servers' order in each slice: rotated, so none is always first or last."""
    return [servers[i % len(servers) :] + servers[: i % len(servers)] for i in range(count)]


def combined(slices, key):
    """One server's figures over all its slices: totals divided by totals (CPU/req is
    all its CPU over all it served), latency percentiles the median of the slices'."""
    runs = [s[key] for s in slices]
    served = sum(r["served"] for r in runs)
    requests = sum(r["requests"] for r in runs)
    return {
        "slices": len(runs),
        "requests": requests,
        "served": served,
        "non2xx": sum(r["non2xx"] for r in runs),
        "rps": requests / (sum(r["duration_us"] for r in runs) / 1e6),
        "p50_us": median([r["p50_us"] for r in runs]),
        "p99_us": median([r["p99_us"] for r in runs]),
        "cpu_ms_per_req": sum(r["cpu_s"] for r in runs) / served * 1000,
        "db_cpu_ms_per_req": sum(r["db_cpu_s"] for r in runs) / served * 1000,
        "db_ops_per_req": sum(r["db_ops"] for r in runs) / served,
        "workers_replaced": any(r["workers_replaced"] for r in runs),
    }


def paired_ratio(slices, key, base):
    """The median, over the slices, of ``key``'s CPU/req over ``base``'s in the same
    slice, with the lowest and highest: what the targets judge."""
    ratios = [s[key]["cpu_ms_per_req"] / s[base]["cpu_ms_per_req"] for s in slices]
    return {"median": median(ratios), "low": min(ratios), "high": max(ratios), "slices": ratios}
