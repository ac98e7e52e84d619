"""`make bench`: Flaskbone's API against a bare Flask+pymongo floor and Python Eve, in one run.

What one run does, in order (bench/results/ keeps the raw JSON and logs; the
report is docs/benchmarks.md with its chart docs/benchmarks.png):

1. the front end's production build (`npm run build`), before any server starts;
2. three gunicorn servers with the same command line (2 workers x 4 gthreads),
   each with a SecantusDB server of its own, seeded with the same widgets;
3. checks: every list is a full page of the floor's ids, every item GET answers;
4. wrk (16 connections) over list, item GET, PUT, POST and DELETE: per
   operation a warm-up, then six 3 s slices per server, the servers taking
   turns in an order rotated every slice; around every slice the CPU time of
   the server's processes and of its database;
5. the database's own cost per call; growth with one user's widgets; a profile;
6. the front end in Debian's Chromium: first render and Lighthouse (mobile);
7. item GET with 200 open live streams (bench/streams.py), under the image's settings.

    .venv/bin/python bench/run.py            # the full run (about 15 minutes on 2 CPUs)
    .venv/bin/python bench/run.py --smoke    # a minute: floor + Flaskbone, tiny data, no browser

A server that answers an error or a short page stops the run with a non-zero
status and no report; a part that could not be measured (the browser, say)
leaves the report marked incomplete, and the status non-zero too.
"""

import argparse
import datetime as dt
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bson import ObjectId

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import frontend_bench  # noqa: E402
import streams  # noqa: E402
from data import insert_batched, register, widget_documents, write_ids  # noqa: E402
from dbcost import call_costs, key_order_costs  # noqa: E402
from growth import growth  # noqa: E402
from load import (  # noqa: E402
    OPS,
    PAGE_SIZE,
    BenchError,
    bench_op,
    check_item,
    check_lists,
    combined,
    paired_ratio,
    rotations,
)
from servers import Processes, start_server, wait_for_http  # noqa: E402
from tools import (  # noqa: E402
    BENCH_VENV,
    ensure_bench_node_modules,
    ensure_bench_venv,
    ensure_wrk,
    log,
    package_version,
    wrk_version,
)

from backend.resources.widgets import Widgets  # noqa: E402
from backend.settings import BCRYPT_ROUNDS  # noqa: E402

FULL = {
    "warmup": 2,
    "slices": 6,  # per operation and server, interleaved (bench/load.py bench_op)
    "slice_s": 3,
    "connections": 16,
    "workers": 2,
    "threads": 4,
    "owner_docs": 200,
    "other_docs": 200,
    "db_samples": 30,
    "growth": (1_000, 10_000, 100_000),
    "growth_budget_s": 60,
    "eve": True,
    "frontend": True,
    "profile": True,
    "streams": [],  # bench/streams.py's defaults: 200 streams
}
SMOKE = {
    **FULL,
    "warmup": 1,
    "slices": 2,
    "slice_s": 1,
    "connections": 4,
    "owner_docs": 30,
    "other_docs": 10,
    "db_samples": 3,
    "growth": (100,),
    "eve": False,
    "frontend": False,
    "profile": False,
    "streams": ["--streams", "3", "--seconds", "1", "--rounds", "1", "--warmup", "0"],
}


def options(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a minute-long check of the harness")
    parser.add_argument("--out", type=Path, help="results folder (default bench/results)")
    parser.add_argument(
        "--docs", type=Path, help="report path (default docs/benchmarks.md; smoke: in --out)"
    )
    for part in ("eve", "frontend", "profile", "streams"):
        parser.add_argument(f"--no-{part}", action="store_true", help=f"leave out {part}")
    args = parser.parse_args(argv)
    cfg = {**(SMOKE if args.smoke else FULL), "smoke": args.smoke}
    for part in ("eve", "frontend", "profile", "streams"):
        if getattr(args, f"no_{part}"):
            cfg[part] = False if part != "streams" else None
    args.out = args.out or BENCH / "results"
    args.docs = args.docs or (
        args.out / "benchmarks.md" if args.smoke else ROOT / "docs" / "benchmarks.md"
    )
    return args, cfg


def start_servers(processes, cfg, work, out):
    """Flaskbone (logged in through its forms), the floor and Eve, each with its database."""
    project_python = ROOT / ".venv" / "bin" / "python"
    us = start_server(
        processes, cfg, work, out, key="us", label="Flaskbone", python=project_python,
        app="backend:create_app()", path="/api/widgets", list_query="?page=1", items_key="items",
        env={"APP_ENV": "production", "SECRET_KEY": secrets.token_hex(32)},
        config="python:backend.gunicorn_conf",  # the image's: its workers freeze the loaded app
    )  # fmt: skip
    wait_for_http(us.base + "/healthz", us.process)
    us.cookie, us.csrf = register(us.base, "bench@bench.example", us.db)
    owner = us.db.users.find_one({"email": "bench@bench.example"})["_id"]
    # The floor and Eve serve the same owner's widgets (no login: the owner is fixed).
    owned = {"BENCH_OWNER_ID": str(owner)}
    servers = [
        start_server(
            processes, cfg, work, out, key="floor", label="floor", python=project_python,
            app="bench.floor_app:app", path="/widgets", list_query="", items_key="items", env=owned,
        )
    ]  # fmt: skip
    if cfg["eve"]:
        servers.append(
            start_server(
                processes, cfg, work, out, key="eve", label="Eve",
                python=BENCH_VENV / "bin" / "python", app="bench.eve_app:app", path="/widgets",
                list_query="", items_key="_items", env=owned,
            )
        )  # fmt: skip
    for server in servers:
        wait_for_http(server.base + server.path, server.process)
    return [servers[0], us, *servers[1:]], owner


def seed(servers, owner, cfg):
    """The same widgets in every server's database: (the owner's ids shuffled, the first page)."""
    other = ObjectId()
    mine = widget_documents(owner, cfg["owner_docs"])
    seeded = mine + widget_documents(other, cfg["other_docs"], prefix="Other")
    for server in servers:
        server.db.widgets.create_indexes(Widgets.indexes)
        insert_batched(server.db.widgets, [dict(d) for d in seeded])
    ids = [str(d["_id"]) for d in mine]
    random.Random(6).shuffle(ids)  # noqa: S311 (a fixed order, not a secret)
    newest = sorted(mine, key=lambda d: (d["created_at"], d["_id"]), reverse=True)
    first_page = [str(d["_id"]) for d in newest[:PAGE_SIZE]]
    log(f"seeded {len(seeded)} widgets into each of {len(servers)} databases")
    return ids, first_page


def throughput(servers, cfg, owner, seeded_ids, first_page, work):
    check_lists(servers, first_page)
    check_item(servers, seeded_ids[0])
    ids_file = write_ids(work / "ids.txt", seeded_ids)
    rates, slices, totals, ratios = {}, {}, {}, {}
    for op in OPS:
        slices[op] = bench_op(servers, op, cfg, owner, ids_file, rates, work, log)
        for server in servers:
            totals[f"{server.key}/{op}"] = combined(slices[op], server.key)
            rates[server.key, op] = totals[f"{server.key}/{op}"]["rps"]
        for other in servers:  # Flaskbone's CPU/req over the floor's, and over Eve's
            if other.key != "us":
                ratios[f"us/{other.key}/{op}"] = paired_ratio(slices[op], "us", other.key)
    check_lists(servers, first_page)  # still the same page after the writes
    return {
        "combined": totals,
        "ratios": ratios,
        "slices": slices,
        "orders": [[s.key for s in order] for order in rotations(servers, cfg["slices"])],
    }


def login_cost():
    import bcrypt

    times = []
    for _ in range(5):
        t = time.perf_counter()
        bcrypt.hashpw(b"x" * 44, bcrypt.gensalt(BCRYPT_ROUNDS))
        times.append(time.perf_counter() - t)
    return {"rounds": BCRYPT_ROUNDS, "hash_ms": sorted(times)[2] * 1000}


def run_profile(mongo_uri, owner, out):
    command = [
        ROOT / ".venv" / "bin" / "python",
        BENCH / "profile_app.py",
        mongo_uri,
        str(owner),
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    return json.loads(result.stdout)


def make_chart(out, docs_path):
    chart = docs_path.with_suffix(".png")
    command = [BENCH_VENV / "bin" / "python", BENCH / "chart.py", out / "results.json", chart]
    subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return chart


def attempt(report, part, fn):
    """A part of the report that must not lose the others when it fails: the
    failure is recorded (the report says the run is incomplete, the exit status
    is non-zero) and the run goes on."""
    try:
        return fn()
    except BenchError:
        raise
    except Exception as error:  # reported, and the run fails at its end
        log(f"{part} failed: {error!r}")
        detail = getattr(error, "stderr", None) or ""
        report["failures"].append(f"{part}: {error!r} {str(detail)[-800:]}".strip())
        return None


def measure(cfg, args, report, processes, work):
    out = args.out
    if cfg["frontend"]:
        report["frontend"] = attempt(report, "front-end build", lambda: frontend_bench.build(log))
    log("starting three servers, each with a database of its own (SecantusDB)")
    servers, owner = start_servers(processes, cfg, work, out)
    floor, us = servers[0], servers[1]
    report["servers"] = [s.key for s in servers]
    seeded_ids, first_page = seed(servers, owner, cfg)
    report["throughput"] = throughput(servers, cfg, owner, seeded_ids, first_page, work)

    log("timing each operation's pymongo calls directly (no HTTP)")
    item_ids = [ObjectId(i) for i in seeded_ids]
    report["db_calls_ms"] = call_costs(floor.db, owner, item_ids, cfg["db_samples"])
    report["db_key_order_ms"] = key_order_costs(floor.db, owner, item_ids[0], cfg["db_samples"])
    for server in servers:  # only Flaskbone is needed from here on
        if server is not us:
            server.stop(processes)
    report["login"] = login_cost()
    if cfg["profile"]:
        log("profiling Flaskbone in-process (pyinstrument)")
        report["profile"] = attempt(
            report, "profile", lambda: run_profile(us.database.uri, owner, out)
        )
    if cfg["frontend"] and report.get("frontend"):
        browser = attempt(
            report, "front end in Chromium", lambda: frontend_bench.measure(us, out, log)
        )
        report["frontend"].update(browser or {})
    # Last on Flaskbone's database: the growth's 100k widgets stay there (removing
    # them takes SecantusDB a minute) until the database is stopped.
    report["growth"] = growth(us, cfg, log)
    processes.stop_all()  # the streams' server runs alone
    if cfg["streams"] is not None:
        stream_args = streams.options([*cfg["streams"], "--out", str(out)])
        report["streams"] = attempt(
            report, "live streams", lambda: streams.measure(stream_args, out)
        )


def main(argv=None):
    args, cfg = options(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    ensure_wrk()
    if not args.smoke:
        ensure_bench_venv()  # Eve, matplotlib (the chart), pyinstrument
    if cfg["frontend"]:
        ensure_bench_node_modules()  # Lighthouse
    processes = Processes()
    work = Path(tempfile.mkdtemp(prefix="flaskbone-bench-"))

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    report = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "config": cfg,
        "wrk": wrk_version(),
        "cpus": os.cpu_count(),
        "load_average_before": os.getloadavg()[0],
        "secantusdb": package_version("SecantusDB"),
        "failures": [],
    }
    try:
        measure(cfg, args, report, processes, work)
    finally:
        log("stopping everything the bench started")
        processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    report["elapsed_s"] = time.monotonic() - started
    report["load_average_after"] = os.getloadavg()[0]
    report["pids"] = processes.pids
    (args.out / "results.json").write_text(json.dumps(report, indent=2, default=str))

    from report import write_report  # bench/report.py

    chart = (
        None if args.smoke else attempt(report, "chart", lambda: make_chart(args.out, args.docs))
    )
    write_report(report, args.docs, chart)
    log(
        f"wrote {args.docs}"
        + (f" and {chart}" if chart else "")
        + f" in {report['elapsed_s']:.0f} s"
    )
    for failure in report["failures"]:
        log("NOT MEASURED:", failure)
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        log(f"FAILED: {error}")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
