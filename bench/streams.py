"""Item GET's latency with 200 live streams open against none, under the image's gunicorn.

The server runs the Dockerfile's CMD with the Dockerfile's ENV defaults (its
workers and threads), as `docker-compose up` does, against the embedded
database. Each of 200 users opens /api/events; wrk then measures item GET
in rounds, alternately with no stream open, with the 200 streams open and
idle, and with them open while a script changes one of their users'
widgets 20 times a second (so events flow). The target: p99 with the
streams at most 1.5 times p99 without.

    .venv/bin/python bench/streams.py      # about 2 minutes; `make bench` runs it too

Results: bench/results/streams.json, and the "Live streams" section of
docs/benchmarks.md (written in place; the rest of the file is left as is).
`make bench` (bench/run.py) calls `measure()` in its own run and puts the
same section in the report it writes.
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import selectors
import shlex
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

from pymongo import MongoClient

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from data import another_user, insert_batched, register, widget_documents, write_ids  # noqa: E402
from load import check_answers, run_wrk  # noqa: E402
from servers import Processes, wait_for_http  # noqa: E402
from tools import ensure_wrk, log  # noqa: E402

from backend.resources.widgets import Widgets  # noqa: E402
from devtools.embedded_mongo import EmbeddedMongo, free_port  # noqa: E402

DOCKERFILE = ROOT / "Dockerfile"
DOCS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- live-streams: bench/streams.py -->", "<!-- /live-streams -->"
TARGET_RATIO = 1.5
PHASES = ("none", "idle", "events")


def image_command():
    """The Dockerfile's CMD (exec form) and the ENV of its final stage."""
    instructions = re.sub(r"\\\n", " ", DOCKERFILE.read_text()).splitlines()
    final_stage = instructions[
        max(i for i, line in enumerate(instructions) if line.startswith("FROM "))
    ]
    start = instructions.index(final_stage)
    env = {}
    for line in instructions[start:]:
        if line.startswith("ENV "):
            env.update(word.split("=", 1) for word in shlex.split(line[4:]))
    cmd = next(line for line in instructions[start:] if line.startswith("CMD "))
    return json.loads(cmd[4:]), env


class StreamHolder:
    """Keeps N /api/events streams open from one thread, reading whatever comes."""

    def __init__(self, port):
        self.port = port
        self.selector = selectors.DefaultSelector()
        self.sockets = []
        self.events = 0
        self.closed = 0
        self.running = False
        self.thread = None

    def open(self, cookie):
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        request = (
            f"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Accept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
        )
        sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                raise RuntimeError("a stream closed before its headers")
            head += chunk
        status = head.split(b"\r\n", 1)[0]
        if b" 200 " not in status:
            raise RuntimeError(f"/api/events answered {status!r}")
        sock.setblocking(False)
        self.selector.register(sock, selectors.EVENT_READ)
        self.sockets.append(sock)

    def start(self):
        self.running = True
        self.thread = threading.Thread(target=self.read, daemon=True)
        self.thread.start()

    def read(self):
        while self.running:
            for key, _ in self.selector.select(timeout=0.2):
                try:
                    data = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                if not data:
                    self.selector.unregister(key.fileobj)
                    self.closed += 1
                self.events += data.count(b"event: change")

    def close(self):
        self.running = False
        if self.thread:
            self.thread.join()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()
        self.sockets.clear()


class Writer:
    """Changes the stream users' widgets at a steady rate, as other clients would."""

    def __init__(self, collection, ids, per_second):
        self.collection, self.ids, self.interval = collection, ids, 1 / per_second
        self.running = False
        self.writes = 0

    def __enter__(self):
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def run(self):
        next_at = time.monotonic()
        while self.running:
            widget = self.ids[self.writes % len(self.ids)]
            self.collection.update_one({"_id": widget}, {"$inc": {"version": 1}})
            self.writes += 1
            next_at += self.interval
            time.sleep(max(0, next_at - time.monotonic()))

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


def measure(args, out):
    ensure_wrk()
    load_before = [round(x, 1) for x in os.getloadavg()]
    command, image_env = image_command()
    processes = Processes()
    work = Path(tempfile.mkdtemp(prefix="flaskbone-streams-"))
    holder = None
    try:
        mongo = EmbeddedMongo.start(work / "db")
        processes.running.append(mongo.process)
        client = MongoClient(mongo.uri, tz_aware=True)
        port = free_port()
        env = {
            **image_env,
            "PORT": str(port),
            "SECRET_KEY": secrets.token_hex(32),
            "MONGO_URI": mongo.uri,
            "MONGO_DATABASE": "bench_streams",
            # Only registration is faster: it makes 200 users; item GET checks no password.
            "BCRYPT_ROUNDS": "4",
            "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",  # the image's gunicorn
        }
        log(
            f"the image's gunicorn: {image_env['WEB_CONCURRENCY']} workers x "
            f"{image_env['GUNICORN_THREADS']} threads"
        )
        server_process = processes.start(command, env, out / "server-streams.log")
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base + "/healthz", server_process)
        db = client["bench_streams"]

        cookie, csrf = register(base, "bench@bench.example", db)
        owner = db.users.find_one({"email": "bench@bench.example"})["_id"]
        db.widgets.create_indexes(Widgets.indexes)
        seeded = widget_documents(owner, 200)
        insert_batched(db.widgets, seeded)
        ids_file = write_ids(work / "ids.txt", [str(d["_id"]) for d in seeded])
        # What run_wrk and check_answers need of a server.
        server = SimpleNamespace(
            key="streams", label="Flaskbone (image settings)", base=base, path="/api/widgets",
            list_query="", cookie=cookie, csrf=csrf,
        )  # fmt: skip

        log(f"registering {args.streams} users, one stream each")
        cookies = [
            another_user(base, f"stream{n}@bench.example", db, like="bench@bench.example")[0]
            for n in range(args.streams)
        ]
        stream_owners = [u["_id"] for u in db.users.find({"email": {"$regex": "^stream"}})]
        their_docs = [widget_documents(o, 1, prefix="Stream user's")[0] for o in stream_owners]
        insert_batched(db.widgets, their_docs)
        their_widgets = [d["_id"] for d in their_docs]

        cfg = {"connections": args.connections}
        results = {phase: [] for phase in PHASES}
        if args.warmup:
            warm = run_wrk(server, "get", args.warmup, cfg, ids_file, work / "warmup.json")
            check_answers(server, "item GET (warm-up)", warm)
        for round_no in range(1, args.rounds + 1):
            for phase in PHASES:
                if phase != "none" and holder is None:
                    holder = StreamHolder(port)
                    for stream_cookie in cookies:
                        holder.open(stream_cookie)
                    holder.start()
                    time.sleep(1)
                if phase == "none" and holder is not None:
                    holder.close()
                    holder = None
                    time.sleep(3)  # the server notices the closed streams within a second
                writer = Writer(db.widgets, their_widgets, args.writes_per_second)
                with writer if phase == "events" else contextlib.nullcontext():
                    result = run_wrk(server, "get", args.seconds, cfg, ids_file, work / "out.json")
                check_answers(server, f"item GET ({phase})", result)
                result["streams_open"] = 0 if holder is None else len(holder.sockets)
                result["streams_closed"] = 0 if holder is None else holder.closed
                if phase == "events":
                    result["writes"] = writer.writes
                    result["events_received"] = holder.events
                results[phase].append(result)
                log(
                    f"round {round_no} {phase:6} streams {result['streams_open']:3}  "
                    f"{result['rps']:7.1f} req/s  p50 {result['p50_us'] / 1000:6.2f} ms  "
                    f"p99 {result['p99_us'] / 1000:6.2f} ms  non-2xx {result['errors_status']}"
                )
        if holder is not None:
            holder.close()
            holder = None
        return {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_average": {
                "before": load_before,
                "after": [round(x, 1) for x in os.getloadavg()],
            },
            "cpus": os.cpu_count(),
            "workers": int(image_env["WEB_CONCURRENCY"]),
            "threads": int(image_env["GUNICORN_THREADS"]),
            "streams": args.streams,
            "connections": args.connections,
            "seconds": args.seconds,
            "rounds": args.rounds,
            "writes_per_second": args.writes_per_second,
            "phases": results,
        }
    finally:
        if holder is not None:
            holder.close()
        processes.stop_all()
        shutil.rmtree(work, ignore_errors=True)  # its database: 11 MB a run


def summary(results):
    """Per phase: the median over rounds of p50, p99 and req/s."""
    table = {}
    for phase, runs in results["phases"].items():
        table[phase] = {
            "p50_ms": statistics.median(r["p50_us"] for r in runs) / 1000,
            "p99_ms": statistics.median(r["p99_us"] for r in runs) / 1000,
            "rps": statistics.median(r["rps"] for r in runs),
            "errors": sum(r["errors_status"] for r in runs),
        }
    return table


def paired_ratio(results, phase):
    """The median over rounds of this phase's p99 over the same round's p99 with none."""
    pairs = zip(results["phases"][phase], results["phases"]["none"], strict=True)
    return statistics.median(r["p99_us"] / n["p99_us"] for r, n in pairs)


def worst_ratio(results):
    """p99 with the streams over p99 without, the worse of two ways of comparing.

    Both must meet the target: the medians of each phase, and each round's
    phases against each other (fairer when the load drifts)."""
    table = summary(results)
    return max(
        max(table[p]["p99_ms"] for p in ("idle", "events")) / table["none"]["p99_ms"],
        *(paired_ratio(results, p) for p in ("idle", "events")),
    )


def render_section(results):
    table = summary(results)
    none = table["none"]["p99_ms"]
    labels = {
        "none": "no stream open",
        "idle": f"{results['streams']} streams open, idle",
        "events": f"{results['streams']} streams open, {results['writes_per_second']} changes/s",
    }
    lines = [
        BEGIN,
        "## Live streams: item GET with 200 open `/api/events` streams",
        "",
        f"Made by `bench/streams.py` ({results['date']}, {results['cpus']} CPUs; `make bench` runs "
        "it last). The server is the image's own command and settings (the Dockerfile's `CMD` "
        f"and `ENV`: gunicorn gthread, {results['workers']} workers x {results['threads']} "
        "threads), against the embedded database. Each of "
        f"{results['streams']} users holds one stream; wrk ({results['connections']} connections, "
        f"{results['seconds']} s a round, {results['rounds']} rounds, median shown) reads item "
        "GETs as a 201st user, in rounds of three phases: no stream open, all of them open and "
        "idle, and all open while a script changes one of their users' widgets "
        f"{results['writes_per_second']} times a second (each change an event on one stream). "
        "The machine was shared with other work (load average "
        f"{results['load_average']['before'][0]} before, {results['load_average']['after'][0]} "
        "after, on 2 cores), so single rounds swing; alternating the phases in every round keeps "
        "the comparison fair (every round is below the table).",
        "",
        "| streams | item GET req/s | p50 ms | p99 ms | p99 vs none | p99 vs none, same round "
        "(median) | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for phase in PHASES:
        row = table[phase]
        ratio = row["p99_ms"] / none if none else float("nan")
        lines.append(
            f"| {labels[phase]} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} "
            f"| {ratio:.2f}x | {paired_ratio(results, phase):.2f}x | {row['errors']} |"
        )
    lines += ["", "p99 of each round, in ms (the phases alternate within a round):", ""]
    for phase in PHASES:
        rounds = ", ".join(f"{r['p99_us'] / 1000:.1f}" for r in results["phases"][phase])
        lines.append(f"- {labels[phase]}: {rounds}")
    worst = worst_ratio(results)
    verdict = "met" if worst <= TARGET_RATIO else "**missed**"
    events = results["phases"]["events"]
    received = sum(r.get("events_received", 0) for r in events)
    writes = sum(r.get("writes", 0) for r in events)
    lines += [
        "",
        f"Target: p99 with the streams open at most {TARGET_RATIO}x p99 with none, either way "
        f"of comparing: **{worst:.2f}x** at worst, "
        f"{verdict}. The streams received {received:,} events for {writes:,} changes "
        "(one per change, each on its owner's stream only; the last few of a round may "
        "still be on their way when it is counted).",
        "",
        "A stream waits in a thread of its own (a blocked thread costs no CPU), so the API's "
        "requests still find free threads: why the image runs gthread with 256 threads (see "
        '"The worker model" in the README).',
        END,
    ]
    return "\n".join(lines) + "\n"


def update_docs(path, section):
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)


def options(argv=None):
    """The command line; `make bench` takes its defaults (or, with --smoke, tiny ones)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--writes-per-second", type=int, default=20)
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--docs", type=Path, default=DOCS)
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the section from --out's streams.json"
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = options(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.report_only:
        results = json.loads((args.out / "streams.json").read_text())
    else:
        results = measure(args, args.out)
        (args.out / "streams.json").write_text(json.dumps(results, indent=2, default=str))
    update_docs(args.docs, render_section(results))
    log(f"wrote {args.out / 'streams.json'} and the live-streams section of {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
