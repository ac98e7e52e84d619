"""Writes docs/benchmarks.md from bench/results/results.json (called by bench/run.py).

.venv/bin/python bench/report.py [results.json] [benchmarks.md]   # re-render only
"""

import json
import sys
from pathlib import Path
from statistics import median

BENCH = Path(__file__).resolve().parent
OPS = ("list", "get", "put", "post", "delete")
OP_NAMES = {
    "list": "list (page of 20)",
    "get": "item GET",
    "put": "PUT",
    "post": "POST",
    "delete": "DELETE",
}
LABELS = {"us": "Flaskbone", "floor": "floor", "eve": "Eve"}
ORDER = ("floor", "eve", "us")  # the columns' order, as in issue 17's table
KB = 1024
# Issue 17, item 2: Flaskbone's own CPU per request against the floor's and Eve's.
CPU_FLOOR_OPS = ("get", "post", "put", "delete")
CPU_FLOOR_RATIO = 1.5
# Issue 14: Lighthouse (mobile) on the list page of the production build; the bundle.
LIGHTHOUSE_TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}
BUNDLE_KB = 80


def fmt(value, digits=1):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def ok(flag):
    return "met" if flag else "**missed**"


def write_report(r, path, chart):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(r, chart.name if chart else None))


def render(r, chart_name):
    servers = [s for s in ORDER if s in r.get("servers", [])]
    t = r.get("throughput", {}).get("combined", {})
    ratios = r.get("throughput", {}).get("ratios", {})
    lines = header(r, chart_name)
    lines += targets_section(r, ratios)
    lines += method_section(r)
    lines += api_section(servers, t)
    lines += cpu_section(servers, t, ratios)
    lines += slices_section(r, servers, ratios)
    lines += db_section(r)
    lines += growth_section(r.get("growth"))
    lines += profile_section(r.get("profile"))
    lines += frontend_section(r.get("frontend"))
    lines += login_section(r.get("login"))
    lines += streams_section(r.get("streams"))
    lines += reproduce_section()
    return "\n".join(lines)


def header(r, chart_name):
    lines = [
        "# Benchmarks",
        "",
        f"Made by `make bench` ({r['date']}, {r['elapsed_s']:.0f} s, {r['cpus']} CPUs, load "
        f"average {r.get('load_average_before', 0):.1f} before and "
        f"{r.get('load_average_after', 0):.1f} after). Everything below comes from this one "
        "run of `bench/run.py`; absolute numbers move from machine to machine, the ratios are "
        "what to judge.",
        "",
    ]
    if r["config"].get("smoke"):
        lines += [
            "**Smoke run** (`--smoke`): a second per operation, tiny data; not a measurement.",
            "",
        ]
    if r.get("failures"):
        lines += ["**Incomplete run**: these parts could not be measured:", ""]
        lines += [f"- {failure}" for failure in r["failures"]] + [""]
    if chart_name:
        lines += [f"![Requests per second and CPU per request, per operation]({chart_name})", ""]
    return lines


def ratio_text(ratio):
    """A paired ratio as the targets show it: the median, then the slices' range."""
    return f"{ratio['median']:.2f}x (slices {ratio['low']:.2f}-{ratio['high']:.2f})"


def cpu_verdicts(ratios, op):
    """(target, the ratio judged, met) for each CPU target this operation has."""
    verdicts = []
    floor, eve = ratios.get(f"us/floor/{op}"), ratios.get(f"us/eve/{op}")
    if op in CPU_FLOOR_OPS and floor:
        verdicts.append((f"at most {CPU_FLOOR_RATIO}x the floor's", floor,
                         floor["median"] <= CPU_FLOOR_RATIO))  # fmt: skip
    if eve:
        verdicts.append(("below Eve's", eve, eve["median"] < 1))
    return verdicts


def targets_section(r, ratios):
    """Every target of issues 17 and 14 that this run measures, met or missed."""
    rows = []
    for op in OPS:
        for target, ratio, good in cpu_verdicts(ratios, op):
            rows.append((f"{OP_NAMES[op]}: Flaskbone CPU/req {target}", ratio_text(ratio), good))
    f = r.get("frontend") or {}
    list_scores = (f.get("lighthouse") or {}).get("list")
    if list_scores:
        for category, target in LIGHTHOUSE_TARGETS.items():
            score = list_scores.get(category)
            rows.append(
                (f"Lighthouse mobile, list page: {category} at least {target}",
                 str(score), score is not None and score >= target)
            )  # fmt: skip
    if f.get("sizes"):
        gz = sum(s["gzip"] for s in f["sizes"].values()) / KB
        rows.append(
            (f"List page's JS + CSS at most {BUNDLE_KB} KB gzip", f"{gz:.1f} KB", gz <= BUNDLE_KB)
        )
    if r.get("streams"):
        import streams  # bench/streams.py: the live issue's figure and its target

        worst = streams.worst_ratio(r["streams"])
        rows.append(
            (f"Item GET p99 with {r['streams']['streams']} open streams at most "
             f"{streams.TARGET_RATIO}x none",
             f"{worst:.2f}x", worst <= streams.TARGET_RATIO)
        )  # fmt: skip
    if not rows:
        return []
    lines = ["## Targets", "", "| target | this run | |", "| --- | --- | --- |"]
    lines += [f"| {name} | {value} | {ok(good)} |" for name, value, good in rows]
    return [*lines, ""]


def method_section(r):
    cfg = r["config"]
    return [
        "## How it is measured",
        "",
        f"- Database: SecantusDB {r.get('secantusdb', '')} (MongoDB wire protocol, the project's "
        "embedded development database; no real mongod can be installed here), **one database "
        "server process per server under test**, so the database CPU and operations counted "
        "during a server's run are that server's alone. Each is seeded with the same documents: "
        f"{cfg['owner_docs']} widgets of the benchmark user and {cfg['other_docs']} of another "
        "user, with Flaskbone's indexes.",
        f"- Servers, all under gunicorn with one command line (`--workers {cfg['workers']} "
        f"--worker-class gthread --threads {cfg['threads']}`, no access log), on 127.0.0.1. "
        "Flaskbone's image runs 256 threads a worker (an open `/api/events` stream holds a "
        "thread) and logs every request; the bench overrides both so that the three servers "
        "differ only in their app (the live-streams section below uses the image's settings).",
        "  - **Flaskbone**: `backend:create_app()` with `APP_ENV=production` and its image's "
        "gunicorn settings (`--config python:backend.gunicorn_conf`: each worker freezes what "
        "loading the app made out of the cyclic garbage collector's reach), as deployed; "
        "logged in through the HTML register and login forms, every request carries the "
        "session cookie and the `X-CSRFToken` header, as the browser does. Its list is "
        "`GET /api/widgets?page=1`, the front end's first page, whose `total` needs a count.",
        "  - **floor**: `bench/floor_app.py`, one minimal Flask view per operation making the "
        "same single pymongo call as Flaskbone, with Flaskbone's filters (`{_id, owner_id}`, "
        "`_id` first) and sort (`created_at`, `_id`, descending), and `json.dumps`; no "
        "validation, login, CSRF, paging or count.",
        "  - **Eve**: Python Eve (`bench/eve_app.py`, from the bench-only `bench/.venv`) on the "
        "same collection: page size 20, the same sort, owner scoping by a datasource filter, "
        "the same length limits; `IF_MATCH` off because the benchmark sends no `If-Match`.",
        f"- Checked before any timing: every server's list answers a full page of "
        f"{20} items with the same ids in the same order as the floor's (and the seeded data's); "
        "every server answers an item GET. Checked after every run: every answer was 2xx (the "
        "wrk script counts statuses itself), no socket error, and each POST landed in that "
        "server's own database. A failed check stops the bench with no report.",
        f"- Load: {r['wrk']}, one thread, **{cfg['connections']} connections**, "
        "`bench/lua/op.lua`. Per operation and server: "
        f"a {cfg['warmup']} s warm-up of each server, then **{cfg['slices']} timed slices of "
        f"{cfg['slice_s']} s** per server, the servers taking turns, their order rotated every "
        "slice (orders: "
        + "; ".join(
            ", ".join(LABELS[k] for k in o) for o in r.get("throughput", {}).get("orders", [])
        )
        + "). The tables show each server's figures over all its slices. This machine's speed "
        "drifts, by up to 2x within minutes, so servers are compared at the same moments: "
        "each slice's Flaskbone against the slice's floor and Eve, the median of those "
        "ratios judging the targets. Operations in order: list, "
        "item GET and PUT (these walk the seeded widgets), POST; then what POST made is removed "
        "and DELETE removes widgets inserted for it (the warm-up and every slice from a pool of its own, "
        "each sized for that server's own pace: Eve's item lookups, `{$and: [{_id}, {owner_id}]}`, "
        "make SecantusDB walk all the owner's widgets, which its DB CPU/req shows).",
        "- **CPU/req**: the user + system CPU time of the server's gunicorn master and all its "
        "workers (`/proc/<pid>/stat`, read before and after each slice), divided by the "
        "requests it answered (wrk's count plus the one request in flight on each connection "
        "when wrk stops, which the server still answers: POST's widgets made confirm it); the "
        "framework's cost, whatever the database's speed. **DB "
        "CPU/req**: the same for the server's database process; **DB ops/req**: its "
        "`serverStatus` operation counters (queries, commands, writes, getMores) per request.",
        "",
    ]


def cells(servers, t, op, value, digits):
    out = []
    for s in servers:
        x = t.get(f"{s}/{op}")
        out.append(fmt(value(x), digits) if x else "n/a")
    return ", ".join(out)


def api_section(servers, t):
    names = ", ".join(LABELS[s] for s in servers)
    lines = [
        "## API: requests per second and latency",
        "",
        "| operation | "
        + " | ".join(f"{LABELS[s]} req/s" for s in servers)
        + f" | Flaskbone/floor req/s | p50 ms ({names}) | p99 ms ({names}) |",
        "|" + " --- |" * (len(servers) + 4),
    ]
    for op in OPS:
        if f"us/{op}" not in t:
            continue
        rps = [fmt(t[f"{s}/{op}"]["rps"], 0) if f"{s}/{op}" in t else "n/a" for s in servers]
        ratio = t[f"us/{op}"]["rps"] / t[f"floor/{op}"]["rps"]
        lines.append(
            f"| {OP_NAMES[op]} | " + " | ".join(rps) + f" | {ratio:.2f} | "
            f"{cells(servers, t, op, lambda x: x['p50_us'] / 1000, 2)} | "
            f"{cells(servers, t, op, lambda x: x['p99_us'] / 1000, 1)} |"
        )
    return [*lines, ""]


def cpu_section(servers, t, ratios):
    names = ", ".join(LABELS[s] for s in servers)
    has_eve = "eve" in servers
    lines = [
        "## CPU per request",
        "",
        "On a 2-core machine everything here is CPU-bound, so throughput follows the sum of the "
        "server's and the database's CPU per request. The targets judge the server's own CPU; "
        "the database's is shown apart (see *The database's own cost*). CPU/req is over all of "
        "a server's slices; the ratios are the median of the slice-by-slice ratios (each "
        "slice's Flaskbone against the same slice's floor or Eve, seconds apart).",
        "",
        f"| operation | CPU/req ms ({names}) | DB CPU/req ms ({names}) | DB ops/req ({names}) "
        "| Flaskbone/floor CPU | " + ("Flaskbone/Eve CPU | " if has_eve else "") + "targets |",
        "|" + " --- |" * (6 + has_eve),
    ]
    for op in OPS:
        floor, eve = ratios.get(f"us/floor/{op}"), ratios.get(f"us/eve/{op}")
        if not floor:
            continue
        verdicts = [f"{target}: {ok(good)}" for target, _, good in cpu_verdicts(ratios, op)]
        row = (
            f"| {OP_NAMES[op]} | {cells(servers, t, op, lambda x: x['cpu_ms_per_req'], 2)} | "
            f"{cells(servers, t, op, lambda x: x['db_cpu_ms_per_req'], 2)} | "
            f"{cells(servers, t, op, lambda x: x['db_ops_per_req'], 2)} | {floor['median']:.2f} | "
        )
        if has_eve:
            row += f"{eve['median']:.2f} | " if eve else "n/a | "
        lines.append(row + "; ".join(verdicts) + " |")
    replaced = [k for k, x in t.items() if x.get("workers_replaced")]
    lines.append("")
    if replaced:
        lines += [
            f"Note: gunicorn replaced a worker during {', '.join(replaced)}; the replaced "
            "worker's CPU still counts (its master's reaped-children time).",
            "",
        ]
    return lines


def stalled(runs):
    """The slices (by index) in which a server answered under half its median rate
    over all of them: a stall, which the report marks rather than hides or drops. (A
    Flaskbone server's embedded SecantusDB was seen to take ten times as long per
    insert for a minute or so, its own CPU idle; the floor's never was, and whether a
    real mongod does the same is not known.)"""
    rates = {i: run["rps"] for i, run in enumerate(runs) if run}
    typical = median(rates.values())
    return {i for i, rate in rates.items() if rate < typical / 2}


def cpu_cell(run, slow):
    if not run:
        return "n/a"
    return f"{run['cpu_ms_per_req']:.2f}" + ("\\*" if slow else "")


def slices_section(r, servers, ratios):
    slices = r.get("throughput", {}).get("slices", {})
    count = max((len(v) for v in slices.values()), default=0)
    if count < 2:
        return []
    marked = False
    lines = [
        "### Every slice",
        "",
        "CPU/req (ms) of each server in each slice, and Flaskbone's over the floor's in the "
        "same slice: how much a figure moves on this machine, and how little the ratio does.",
        "",
        "| operation | | " + " | ".join(f"slice {i}" for i in range(1, count + 1)) + " |",
        "|" + " --- |" * (2 + count),
    ]
    for op in OPS:
        for s in servers:
            runs = [x.get(s) for x in slices.get(op, [])]
            if any(runs):
                slow = stalled(runs)
                marked = marked or bool(slow)
                cells_ = [cpu_cell(x, i in slow) for i, x in enumerate(runs)]
                lines.append(f"| {OP_NAMES[op]} | {LABELS[s]} | " + " | ".join(cells_) + " |")
        ratio = ratios.get(f"us/floor/{op}")
        if ratio:
            lines.append(
                f"| {OP_NAMES[op]} | Flaskbone/floor | "
                + " | ".join(f"{x:.2f}" for x in ratio["slices"])
                + " |"
            )
    if marked:
        lines += ["", "\\* The server answered under half its median rate in that slice: a stall, "
                  "counted in the figures above like any other slice."]  # fmt: skip
    return [*lines, ""]


def db_section(r):
    calls = r.get("db_calls_ms")
    if not calls:
        return []
    lines = [
        "## The database's own cost",
        "",
        "Each pymongo call of the operations, run directly from one client in sequence (no "
        "HTTP, no framework) on the floor's database after the load, median ms, with "
        "SecantusDB's plan. It is the same for every server that makes the call; the *DB ops/req* "
        "column above says how many calls each server makes per request. SecantusDB answers "
        "`find_one_and_update` (Flaskbone's and the floor's PUT, one atomic call: MongoDB's right "
        "way) with a collection scan where a real mongod uses the `_id` index, so PUT's DB "
        "CPU/req is the embedded server's cost, not the framework's; the two-call form is timed "
        "beside it for comparison only.",
        "",
        "| call | ms | plan | docs examined |",
        "| --- | --- | --- | --- |",
    ]
    for name, c in calls.items():
        plan = c.get("explain") or {}
        lines.append(
            f"| {name} | {fmt(c['ms'], 2)} | "
            + (f"`{plan['plan']}` | {plan['docs']} |" if plan else "(insert) | |")
        )
    lines.append("")
    ko = r.get("db_key_order_ms")
    if ko:
        lines += [
            "SecantusDB plans by the filter's key order: `{_id, owner_id}` is faster than "
            "`{owner_id, _id}` (a real mongod uses the `_id` index either way), and Flaskbone "
            "and the floor put `_id` first (Eve's `{$and: [{_id}, {owner_id}]}` gets no such "
            "help: see its DB CPU/req). Its `explain` reports a COLLSCAN for lookups "
            "by `_id` whatever the order, yet their time stays flat as the collection grows (see "
            "*Growth*): the plan it reports leaves out its `_id` fast path. Median ms:",
            "",
            "| call | `{owner_id, _id}` | `{_id, owner_id}` |",
            "| --- | --- | --- |",
        ]
        for call, v in ko.items():
            lines.append(f"| `{call}` | {fmt(v['owner_first'], 2)} | {fmt(v['id_first'], 2)} |")
        lines.append("")
    return lines


def growth_section(g):
    if not g or not g.get("rows"):
        return []
    keyset = any(row.get("http_deep_after_ms") for row in g["rows"])
    lines = [
        "## Growth: one user's widgets",
        "",
        "Flaskbone's list and item GET as one user's widgets grow, sequential requests over HTTP "
        "(median), beside the same pymongo calls made directly. The deep page is the last one, "
        "reached by its page number (`skip`)"
        + (
            ' and by following the `Link: <...>; rel="next"` header of the page before it '
            "(keyset paging, `after=`)."
            if keyset
            else "."
        ),
        "",
        "| widgets | insert/s | list page 1 ms | deep page by number ms | "
        + ("deep page by `after` ms | " if keyset else "")
        + "item GET ms | db find page 1 | db find deep | db count | db find_one |",
        "|" + " --- |" * (9 + keyset),
    ]
    for row in g["rows"]:
        lines.append(
            f"| {row['widgets']:,} | {row['insert_per_s']:,.0f} | {fmt(row['http_first_ms'])} | "
            f"{fmt(row['http_deep_ms'])} (page {row['deep_page']:,}) | "
            + (f"{fmt(row.get('http_deep_after_ms'))} | " if keyset else "")
            + f"{fmt(row['http_get_ms'], 2)} | {fmt(row['db_find_first_ms'])} | "
            f"{fmt(row['db_find_deep_ms'])} | {fmt(row['db_count_ms'])} | {fmt(row['db_get_ms'], 2)} |"
        )
    lines.append("")
    for note in g["notes"]:
        lines += [f"Note: {note}", ""]
    last = g["rows"][-1]
    lines += [
        f"Query plans (`explain`, executionStats) at {last['widgets']:,} widgets:",
        "",
        "| query | winning plan | keys examined | docs examined | returned |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, p in last["explain"].items():
        lines.append(f"| {name} | `{p['plan']}` | {p['keys']} | {p['docs']} | {p['returned']} |")
    lines += [
        "",
        "SecantusDB serves the list from the index `owner_id_1_created_at_-1__id_-1` but does not "
        "take the order from it: it fetches and sorts all the owner's documents, so its page 1 "
        "costs as much as its last page; a real mongod reads only the page's keys for page 1, "
        "but walks `(page - 1) * per_page` keys for a page number, which keyset paging avoids.",
        "",
    ]
    return lines


def profile_section(p):
    if not p:
        return []
    lines = [
        "## Where the time goes (pyinstrument)",
        "",
        "Flaskbone's production app in-process (Flask's test client, no HTTP, no gunicorn), "
        "pyinstrument sampling every 0.2 ms over a few hundred requests per operation, each "
        "sample given to the outermost matching frame's category. Milliseconds per request "
        "(`bench/results/profile-<op>.txt` has the full trees):",
        "",
    ]
    ops = [op for op in OPS if op in p]
    cats = list(dict.fromkeys(c for op in ops for c in p[op].get("categories_ms", {})))
    lines.append("| category | " + " | ".join(OP_NAMES[op] for op in ops) + " |")
    lines.append("|" + " --- |" * (1 + len(ops)))
    for c in cats:
        lines.append(
            f"| {c} | " + " | ".join(fmt(p[op]["categories_ms"].get(c, 0), 2) for op in ops) + " |"
        )
    lines.append(
        "| **wall time per request** | " + " | ".join(fmt(p[op]["wall_ms"], 2) for op in ops) + " |"
    )
    lines.append("")
    if p.get("note"):
        lines += [p["note"], ""]
    return lines


def frontend_section(f):
    lines = ["## Front end", ""]
    if not f:
        return [*lines, "Not measured in this run.", ""]
    if "build_s" in f:
        lines += [
            f"Production build (`npm run build`: Brunch from package.json, minified, no source "
            f"maps; then the webassets manifest, as the Dockerfile does): **{f['build_s']:.1f} s**.",
            "",
        ]
    sizes = f.get("sizes")
    if sizes:
        lines += [
            "Every script and stylesheet the list page loads:",
            "",
            "| file | raw KB | gzip KB (level 6) |",
            "| --- | --- | --- |",
        ]
        for name, s in sizes.items():
            lines.append(f"| `{name}` | {s['raw'] / KB:.1f} | {s['gzip'] / KB:.1f} |")
        raw = sum(s["raw"] for s in sizes.values())
        gz = sum(s["gzip"] for s in sizes.values())
        lines += [f"| **JS + CSS** | **{raw / KB:.1f}** | **{gz / KB:.1f}** |", ""]
    rm = f.get("render_ms")
    if rm:
        runs = ", ".join(f"{x:.0f}" for x in rm["runs"])
        lines += [
            "Time from navigation to the rendered widget list (all 20 names of page 1 on screen), "
            "Debian's Chromium headless through playwright, cold cache, logged in, median of "
            f"{len(rm['runs'])}: **{rm['median']:.0f} ms** (runs: {runs}).",
            "",
        ]
    lh = f.get("lighthouse")
    if lh:
        lines += [
            "Lighthouse 12 (`bench/node_modules`, its default mobile profile with simulated "
            "throttling, Debian's Chromium headless), on the production build served by gunicorn:",
            "",
            "| page | performance | accessibility | best practices | FCP ms | LCP ms | failing audits |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for page, s in lh.items():
            lines.append(
                f"| {page} (`{s.get('final_url', '')}`) | {s.get('performance')} | "
                f"{s.get('accessibility')} | {s.get('best-practices')} | {fmt(s.get('fcp_ms'), 0)} | "
                f"{fmt(s.get('lcp_ms'), 0)} | {'; '.join(s.get('failed_audits', [])) or 'none'} |"
            )
        runs = (lh.get("list") or {}).get("performance_runs")
        if runs:
            lines += [
                "",
                f"The list page's row is the run of median performance among {len(runs)} "
                f"(performance of each: {', '.join(str(x) for x in runs)}), as Lighthouse "
                "advises: its score moves by a few points from run to run.",
            ]
        lines.append("")
    return lines


def login_section(login):
    if not login:
        return []
    return [
        "## Login cost",
        "",
        f"Passwords are hashed with bcrypt at work factor **{login['rounds']}** "
        f"(`BCRYPT_ROUNDS` in `backend/settings.py`): one hash takes **{login['hash_ms']:.0f} ms** "
        "here (median of 5), paid at login and registration only; API requests carry a session "
        "id and never hash.",
        "",
    ]


def streams_section(results):
    if not results:
        return []
    import streams  # bench/streams.py renders its own section

    return [streams.render_section(results)]


def reproduce_section():
    return [
        "## Reproduce",
        "",
        "`make bench` (about 15 minutes on 2 CPUs). It installs what it needs: `bench/.venv` with "
        "uv from the hashed `bench/requirements.txt`, `bench/node_modules` (Lighthouse) with "
        "`npm ci`, wrk from Debian when missing; Chromium is Debian's `/usr/bin/chromium`. "
        "`bench/results/` keeps the raw JSON (every slice), the server logs, the Lighthouse "
        "reports and the profiles. `.venv/bin/python bench/run.py --smoke` checks the harness "
        "in about a minute (`tests/test_bench_smoke.py`).",
        "",
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH.parent))
    sys.path.insert(0, str(BENCH))
    results = Path(sys.argv[1] if len(sys.argv) > 1 else BENCH / "results" / "results.json")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else BENCH.parent / "docs" / "benchmarks.md")
    chart = out.with_suffix(".png")
    write_report(json.loads(results.read_text()), out, chart if chart.exists() else None)
