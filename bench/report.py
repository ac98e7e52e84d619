"""Writes docs/benchmarks.md from bench/results/results.json (called by bench/run.py)."""

import json
import sys
from pathlib import Path

OPS = ("list", "get", "post", "put", "delete")
OP_NAMES = {
    "list": "list (page of 20)",
    "get": "item GET",
    "post": "POST",
    "put": "PUT",
    "delete": "DELETE",
}
LABELS = {"us": "Flaskbone", "floor": "floor", "eve": "Eve"}
KB = 1024


def fmt(value, digits=1):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def ok(flag):
    return "met" if flag else "**missed**"


def write_report(r, path, chart):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(r, chart.name if chart else None))


def render(r, chart_name):
    cfg = r["config"]
    servers = r.get("servers", ["floor", "us"])
    t = r.get("throughput", {})
    lines = [
        "# Benchmarks",
        "",
        f"Made by `make bench` ({r['date']}, {r['elapsed_s']:.0f} s, {r['cpus']} CPUs, a noisy shared machine). "
        "Everything below comes from one run of `bench/run.py`; absolute numbers move from run to run "
        "on this machine, the ratios are what to judge.",
        "",
    ]
    if cfg.get("smoke"):
        lines += [
            "**Smoke run** (`--smoke`): seconds per operation and tiny data; not a measurement.",
            "",
        ]
    if chart_name:
        lines += [f"![Requests per second and median latency per operation]({chart_name})", ""]

    lines += [
        "## How it is measured",
        "",
        f"- Database: one embedded SecantusDB {r.get('secantusdb', '')} server (MongoDB wire protocol, "
        "the project's development database; no real mongod can be installed here), a separate database "
        "per server, each seeded with the same documents: "
        f"{cfg['owner_docs']} widgets of the benchmark user and {cfg['other_docs']} of another user, "
        "with Flaskbone's indexes.",
        f"- Servers, all under gunicorn with the same settings (`--workers {cfg['workers']} "
        f"--worker-class gthread --threads {cfg['threads']}`), on 127.0.0.1:",
        "  - **Flaskbone**: `backend:create_app()` with `APP_ENV=production`, `SECRET_KEY` and `MONGO_URI` "
        "set, exactly as deployed; logged in through the HTML register form, every request carries the "
        "session cookie and the `X-CSRFToken` header, as the browser does.",
        "  - **floor**: `bench/floor_app.py`, one minimal Flask view per operation doing the same single "
        "pymongo call with the same filter and `json.dumps`; no validation, login, CSRF, paging or count.",
        "  - **Eve**: Python Eve (`bench/eve_app.py`, from the bench-only environment `bench/.venv`) on "
        "the same collection: page size 20, the same sort, owner scoping by a datasource filter, the same "
        "length limits; `IF_MATCH` off because the benchmark sends no `If-Match` (to Flaskbone neither).",
        f"- Load: {r['wrk']}, one thread, **{cfg['connections']} connections**, Lua script `bench/lua/op.lua` "
        "(cookie, CSRF header, JSON bodies, ids). Per operation and server: "
        f"{cfg['warmup']} s warm-up, then {cfg['duration']} s measured; {cfg['rounds']} rounds with the "
        "servers' order reversed in the second, servers interleaved per operation; the table shows each "
        "server's better round. Order: list, item GET, PUT (these walk the benchmark user's seeded "
        "widgets), POST; then what POST made is removed directly and DELETE removes a pool of widgets "
        "inserted just before it, sized to outlast the run.",
        "- The PUT body is `{name, description}` with no `version`, so no 409s; every request answered 2xx "
        "(the `non-2xx` column says otherwise if not).",
        "",
        "## API: requests per second and latency",
        "",
    ]
    head = "| operation | " + " | ".join(
        f"{LABELS[s]} req/s | {LABELS[s]} p50 ms | {LABELS[s]} p99 ms" for s in servers
    )
    lines += [head + " | non-2xx |", "|" + " --- |" * (1 + 3 * len(servers) + 1)]
    for op in OPS:
        cells = []
        errors = 0
        for s in servers:
            x = t.get(f"{s}/{op}")
            if not x:
                cells += ["n/a"] * 3
                continue
            errors += x["errors_status"] + x["errors_timeout"]
            cells += [fmt(x["rps"], 0), fmt(x["p50_us"] / 1000, 2), fmt(x["p99_us"] / 1000, 1)]
        lines.append(f"| {OP_NAMES[op]} | " + " | ".join(cells) + f" | {errors} |")
    lines += ["", "### Ratios and targets", ""]
    has_eve = "eve" in servers
    lines.append(
        "| operation | us/floor req/s | us/floor p50 | "
        + ("us/Eve req/s | us/Eve p50 | " if has_eve else "")
        + "targets |"
    )
    lines.append("|" + " --- |" * (4 + (2 if has_eve else 0)))
    misses = []
    for op in OPS:
        us, fl, ev = t.get(f"us/{op}"), t.get(f"floor/{op}"), t.get(f"eve/{op}")
        if not us or not fl:
            continue
        rps_ratio = us["rps"] / fl["rps"]
        p50_ratio = us["p50_us"] / fl["p50_us"]
        targets = []
        if op in ("get", "post", "put"):
            good = rps_ratio >= 0.85
            targets.append(f"req/s >= 0.85x floor: {ok(good)}")
            if not good:
                misses.append(f"{OP_NAMES[op]}: {rps_ratio:.2f}x the floor's req/s (target 0.85x)")
        if op in ("list", "get"):
            good = p50_ratio <= 1.3
            targets.append(f"p50 <= 1.3x floor: {ok(good)}")
            if not good:
                misses.append(f"{OP_NAMES[op]}: {p50_ratio:.2f}x the floor's p50 (target 1.3x)")
        row = f"| {OP_NAMES[op]} | {rps_ratio:.2f} | {p50_ratio:.2f} | "
        if has_eve and ev:
            eve_ratio = us["rps"] / ev["rps"]
            good = eve_ratio >= 1
            targets.append(f"req/s >= Eve: {ok(good)}")
            if not good:
                misses.append(f"{OP_NAMES[op]}: {eve_ratio:.2f}x Eve's req/s (target 1x)")
            row += f"{eve_ratio:.2f} | {us['p50_us'] / ev['p50_us']:.2f} | "
        lines.append(row + "; ".join(targets) + " |")
    lines += [""]
    if misses:
        lines += [
            "Missed in this run: " + "; ".join(misses) + ". See *Where the time goes* below.",
            "",
        ]

    stray = [
        s
        for s in servers
        if 0 < t.get(f"{s}/delete", {}).get("errors_status", 0) <= cfg["connections"]
    ]
    if stray:
        lines += [
            f"Note: DELETE's few non-2xx ({', '.join(LABELS[s] for s in stray)}; at most one per connection) "
            "are 404s for widgets that warm-up's last in-flight requests deleted after the harness "
            "re-read the pool: a harness artefact (it now waits a second after warm-up), not a server error.",
            "",
        ]
    for d in (x for x in (t.get(f"{s}/delete") for s in servers) if x and x.get("pool_exhausted")):
        lines += [
            f"Note: a DELETE pool ran out ({d['pool']} ids); that server's DELETE req/s is understated.",
            "",
        ]

    db = r.get("db_cost_ms")
    if db:
        lines += [
            "### The database's own cost",
            "",
            "The same pymongo calls each server makes per request, run directly from one client in "
            "sequence (no HTTP, no Flask), median ms. Flaskbone's include its session lookup and, for "
            "the list, the `count_documents` for `total`; Eve's list counts too, its PUT reads then "
            "replaces, its DELETE reads then deletes. Whatever a server's p50 holds beyond this (and "
            "beyond queueing at the connection count) is the server's own code.",
            "",
            "| operation | " + " | ".join(LABELS[s] for s in servers if s in db) + " |",
            "|" + " --- |" * (1 + len([s for s in servers if s in db])),
        ]
        for op in OPS:
            lines.append(
                f"| {OP_NAMES[op]} | "
                + " | ".join(fmt(db[s][op], 2) for s in servers if s in db)
                + " |"
            )
        lines.append("")
    ko = r.get("db_key_order_ms")
    if ko:
        lines += [
            "### SecantusDB plans by the filter's key order",
            "",
            'Flaskbone\'s item filters are `{**base_query(), "_id": id}`, i.e. `{owner_id, _id}`. '
            "SecantusDB then walks the `owner_id` index over all the owner's widgets instead of "
            "fetching by `_id`; with `_id` first it uses the `_id` index. (A real mongod's planner "
            "picks the `_id` index either way.) Median ms, same data as above:",
            "",
            "| call | `{owner_id, _id}` (ours today) | `{_id, owner_id}` |",
            "| --- | --- | --- |",
        ]
        for call, v in ko.items():
            lines.append(f"| `{call}` | {fmt(v['owner_first'], 2)} | {fmt(v['id_first'], 2)} |")
        lines += [
            "",
            "The floor uses Flaskbone's key order, so the ratios above compare equal database work. "
            "Eve's item lookups put `_id` first, which is part of its advantage here.",
            "",
        ]

    lines += growth_section(r.get("growth"))
    lines += profile_section(r.get("profile"), t)
    lines += frontend_section(r.get("frontend"))
    login = r.get("login")
    if login:
        lines += [
            "## Login cost",
            "",
            f"Passwords are hashed with bcrypt at work factor **{login['rounds']}** "
            f"(`BCRYPT_ROUNDS` in `backend/settings.py`, 2^{login['rounds']} rounds): one hash "
            f"takes **{login['hash_ms']:.0f} ms** here (median of 5). That is the point: a login "
            "or registration costs a quarter of a second of one core, which a person does not notice, "
            "while an attacker with a stolen hash pays the same per guess. OWASP asks for at least "
            "10; 12 keeps the cost near 250 ms on current hardware. It is paid only at login and "
            "registration: API requests carry a session id and never hash. Each extra round doubles "
            "the cost, so raise it when hardware gets faster (tests use 4 for speed).",
            "",
        ]
    lines += [
        "## Reproduce",
        "",
        "`make bench` (about 15 minutes; it installs wrk from Debian if missing, makes `bench/.venv` with uv "
        "from `bench/requirements.txt` and `bench/node_modules` from `bench/package-lock.json`). "
        "`bench/results/` keeps the raw JSON, the server logs, the Lighthouse reports and the "
        "pyinstrument profiles. `.venv/bin/python bench/run.py --smoke` is the seconds-long CI version "
        "(`tests/test_bench_smoke.py`).",
        "",
    ]
    return "\n".join(lines)


def growth_section(g):
    if not g:
        return []
    lines = [
        "## Growth: one user's widgets",
        "",
        "Flaskbone's list and item GET as one user's widgets grow, sequential requests over HTTP "
        "(median), beside the same pymongo calls made directly. The deep page is the last one.",
        "",
        "| widgets | insert/s | list page 1 ms | list deep page ms | item GET ms | db find page 1 | "
        "db find deep | db count | db find_one `{owner_id,_id}` | db find_one `{_id,owner_id}` |",
        "|" + " --- |" * 10,
    ]
    for row in g["rows"]:
        lines.append(
            f"| {row['widgets']:,} | {row['insert_per_s']:,.0f} | {fmt(row['http_first_ms'])} | "
            f"{fmt(row['http_deep_ms'])} (page {row['deep_page']:,}) | {fmt(row['http_get_ms'], 2)} | "
            f"{fmt(row['db_find_first_ms'])} | {fmt(row['db_find_deep_ms'])} | {fmt(row['db_count_ms'])} | "
            f"{fmt(row['db_get_ms'], 2)} | {fmt(row.get('db_get_id_first_ms'), 2)} |"
        )
    lines.append("")
    for note in g["notes"]:
        lines += [f"Note: {note}", ""]
    last = g["rows"][-1]
    lines += [
        f"### Query plans (`explain`, executionStats) at {last['widgets']:,} widgets",
        "",
        "| query | winning plan | keys examined | docs examined | returned |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, p in last["explain"].items():
        lines.append(f"| {name} | `{p['plan']}` | {p['keys']} | {p['docs']} | {p['returned']} |")
    lines += [
        "",
        "What this shows:",
        "",
        "- Every list query is served by the index `owner_id_1_created_at_-1__id_-1` (IXSCAN): no "
        "list query scans the collection. But SecantusDB does not take the sort from the index: it "
        "reads every key of the owner, fetches every document and sorts them (the SORT stage), so "
        "page 1 costs as much as the last page and both grow linearly with the user's widgets; "
        "`count_documents` for `total` also fetches every matching document. On a real mongod the "
        "same index gives the order, page 1 reads 20 keys, and the count is a COUNT_SCAN.",
        "- Deep pages: with `skip`, even a real mongod walks and discards `(page - 1) * per_page` index "
        "keys, so deep pages grow with the offset there. The fix is keyset paging: the client sends the "
        "last item's `(created_at, _id)` and the query asks for `{owner_id, (created_at, _id) < last}` "
        "with `limit`, which reads only the page's keys at any depth. `page`/`total` can stay for the "
        "first pages; Backbone's collection fetch would pass `after=<last id>` instead of `page` for "
        '"load more".',
        "- Item GET, PUT and DELETE: with Flaskbone's key order `{owner_id, _id}`, SecantusDB's explain "
        "reports a plan over the owner index or a COLLSCAN and the timings grow with the user's widgets "
        "(see the table). With `_id` first the lookup is flat. `find_one_and_update` (PUT) scans in "
        "SecantusDB whatever the order. None of this happens on a real mongod, which looks up `_id` "
        "through its unique index.",
        "",
    ]
    return lines


def profile_section(p, t):
    if not p or "error" in p:
        return [
            "## Where the time goes",
            "",
            f"Profile failed: {p.get('error') if p else 'not run'}",
            "",
        ]
    lines = [
        "## Where the time goes (pyinstrument)",
        "",
        "Flaskbone's production app in-process (Flask's test client, no HTTP, no gunicorn), "
        "pyinstrument sampling every 0.2 ms over a few hundred requests per operation against the "
        "benchmark database, then each sample assigned to the outermost matching frame's category. "
        "Milliseconds per request (`bench/results/profile-<op>.txt` has the full trees):",
        "",
    ]
    cats = []
    for op in OPS:
        for c in p.get(op, {}).get("categories_ms", {}):
            if c not in cats:
                cats.append(c)
    lines.append("| category | " + " | ".join(OP_NAMES[op] for op in OPS if op in p) + " |")
    lines.append("|" + " --- |" * (1 + len([op for op in OPS if op in p])))
    for c in cats:
        lines.append(
            f"| {c} | "
            + " | ".join(fmt(p[op]["categories_ms"].get(c, 0), 2) for op in OPS if op in p)
            + " |"
        )
    lines.append(
        "| **wall time per request** | "
        + " | ".join(fmt(p[op]["wall_ms"], 2) for op in OPS if op in p)
        + " |"
    )
    lines.append("")
    ours = {
        op: p[op]["wall_ms"] - p[op]["categories_ms"].get("pymongo: driver + database wait", 0)
        for op in OPS
        if op in p
    }
    lines += [
        "Reading it: everything outside pymongo, Werkzeug's test client included, is "
        + ", ".join(f"{OP_NAMES[op]} {ms:.1f} ms" for op, ms in ours.items())
        + " per request; the rest is pymongo waiting on the database. The session lookup's own "
        "database round trip (one `find_one` by `_id` on every request) counts under pymongo. "
        "So where Flaskbone trails the floor it is not Python work but database round trips the "
        "floor does not make: the list's `count_documents` for `total` and, on every operation, "
        "the session lookup. The benchmark is database-bound (one SecantusDB process serves all "
        "requests), so one extra round trip on a cheap operation such as POST nearly halves its "
        "throughput under load while adding only a millisecond to a single request.",
        "",
    ]
    if p.get("note"):
        lines += [p["note"], ""]
    return lines


def frontend_section(f):
    lines = ["## Front end", ""]
    if not f:
        return [*lines, "Not measured in this run.", ""]
    for note in f.get("notes", []):
        lines += [f"Note: {note}", ""]
    if "build_s" in f:
        lines += [f"Brunch production build (`npm run build`): **{f['build_s']:.1f} s**.", ""]
    sizes = f.get("sizes")
    if sizes:
        lines += ["| file | raw KB | gzip KB (level 6) |", "| --- | --- | --- |"]
        for name, s in sizes.items():
            lines.append(f"| `public/static/{name}` | {s['raw'] / KB:.1f} | {s['gzip'] / KB:.1f} |")
        raw = sum(s["raw"] for s in sizes.values())
        gz = sum(s["gzip"] for s in sizes.values())
        lines += [
            f"| **JS + CSS** | **{raw / KB:.1f}** | **{gz / KB:.1f}** |",
            "",
            f"Target JS + CSS at most 80 KB gzip: {ok(gz <= 80 * KB)}.",
            "",
        ]
    rm = f.get("render_ms")
    if rm:
        runs = ", ".join(f"{x:.0f}" for x in rm["runs"])
        lines += [
            f"Time from navigation to the rendered widget list (all 20 names of page 1 on screen), "
            f"headless Chromium, cold cache, logged in, median of {len(rm['runs'])}: "
            f"**{rm['median']:.0f} ms** (runs: {runs}).",
            "",
        ]
    lh = f.get("lighthouse")
    if lh:
        lines += [
            "Lighthouse 12 (`bench/node_modules`, default mobile profile with simulated throttling, "
            "system Chromium, offline), targets: performance 95, accessibility 100, "
            "best practices 100:",
            "",
            "| page | performance | accessibility | best practices | FCP ms | LCP ms | failing audits |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for page, s in lh.items():
            lines.append(
                f"| {page} (`{s.get('final_url', '')}`) | {s.get('performance')} | {s.get('accessibility')} | "
                f"{s.get('best-practices')} | {fmt(s.get('fcp_ms'), 0)} | {fmt(s.get('lcp_ms'), 0)} | "
                f"{'; '.join(s.get('failed_audits', [])) or 'none'} |"
            )
        lines.append("")
    return lines


if __name__ == "__main__":
    results = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/results/results.json")
    report = json.loads(results.read_text())
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/benchmarks.md")
    chart = out.with_suffix(".png")
    write_report(report, out, chart if chart.exists() else None)
