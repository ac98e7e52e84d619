"""The front end's weight and speed: bytes, build time, time to the rendered list, Lighthouse.

Called by bench/run.py with our running production server. Needs the project's
node_modules (``make install``); when the front end is not there it says so
and measures what it can.
"""

import datetime as dt
import gzip
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

from bson import ObjectId

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
STATIC = ROOT / "public" / "static"
BUNDLES = ("vendor.js", "app.js", "app.css")
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUNS = 7


def measure_frontend(us, out, log, register, ensure_lighthouse):
    result = {"notes": []}
    if not (ROOT / "frontend").is_dir() or not (ROOT / "package.json").exists():
        result["notes"].append("No front end in this tree yet (frontend/, package.json).")
        return result
    if (ROOT / "node_modules").is_dir():
        log("front end: timing the Brunch production build (npm run build)")
        t = time.perf_counter()
        npm = ["npm", "run", "build"]
        build = subprocess.run(npm, cwd=ROOT, capture_output=True, text=True, check=False)
        result["build_s"] = time.perf_counter() - t
        if build.returncode != 0:
            result["notes"].append(f"npm run build failed: {build.stderr[-500:]}")
            result.pop("build_s")
    else:
        result["notes"].append("node_modules missing (run `make install`): build not timed.")
    if not all((STATIC / name).exists() for name in BUNDLES):
        result["notes"].append(
            "public/static/{vendor,app}.js and app.css are not built: sizes and browser skipped."
        )
        return result
    sizes = {}
    for name in BUNDLES:
        data = (STATIC / name).read_bytes()
        sizes[name] = {"raw": len(data), "gzip": len(gzip.compress(data, compresslevel=6))}
    result["sizes"] = sizes

    # A user of its own with 25 widgets, so the first page shows a known 20.
    cookie, _ = register(us.base, "browser@bench.example", us.db)
    owner = us.db.users.find_one({"email": "browser@bench.example"})["_id"]
    start = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    docs = [
        {"_id": ObjectId(), "owner_id": owner, "name": f"Browser widget {i:02d}", "description": "",
         "created_at": start + dt.timedelta(minutes=i), "updated_at": start + dt.timedelta(minutes=i), "version": 1}
        for i in range(25)
    ]  # fmt: skip
    us.db.widgets.insert_many(docs)
    expected = [d["name"] for d in sorted(docs, key=lambda d: d["created_at"], reverse=True)[:20]]
    session_value = cookie.split("session=", 1)[1].split(";")[0]
    try:
        result["render_ms"] = time_to_list(us.base, session_value, expected, log)
    except Exception as error:  # the browser part must not lose the rest of the run
        result["notes"].append(f"Browser timing failed: {error}")
    try:
        ensure_lighthouse()
        result["lighthouse"] = {
            "login": lighthouse(us.base + "/login", None, out / "lighthouse-login.json", log),
            "list": lighthouse(
                us.base + "/widgets", f"session={session_value}", out / "lighthouse-list.json", log
            ),
        }
    except Exception as error:
        result["notes"].append(f"Lighthouse failed: {error}")
    return result


def time_to_list(base, session_value, expected, log):
    """Milliseconds from navigation start to all 20 names of the first page on screen."""
    from playwright.sync_api import sync_playwright

    log(f"front end: time to the rendered list, {RUNS} cold runs in headless Chromium")
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        try:
            for _ in range(RUNS):
                context = browser.new_context()  # cold cache each run
                context.add_cookies(
                    [
                        {
                            "name": "session",
                            "value": session_value,
                            "url": base,
                            "httpOnly": True,
                            "secure": True,
                        }
                    ]
                )
                page = context.new_page()
                page.goto(base + "/widgets", wait_until="commit")
                page.wait_for_function(
                    "names => names.every(n => document.body && document.body.innerText.includes(n))",
                    arg=expected,
                    polling="raf",
                    timeout=20_000,
                )
                times.append(page.evaluate("performance.now()"))
                context.close()
        finally:
            browser.close()
    return {"median": statistics.median(times), "runs": times}


def lighthouse(url, cookie, out_file, log):
    log(f"front end: Lighthouse on {url}")
    command = [
        str(BENCH / "node_modules" / ".bin" / "lighthouse"),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out_file}",
        "--only-categories=performance,accessibility,best-practices",
        "--chrome-flags=--headless=new " + " ".join(CHROME_ARGS),
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, check=True)
    data = json.loads(Path(out_file).read_text())
    scores = {
        key: round(cat["score"] * 100)
        for key, cat in data["categories"].items()
        if cat["score"] is not None
    }
    failed = [
        audit["title"]
        for audit in data["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 0.9
        and audit.get("scoreDisplayMode") == "binary"
    ]
    metrics = data["audits"]
    scores["fcp_ms"] = metrics.get("first-contentful-paint", {}).get("numericValue")
    scores["lcp_ms"] = metrics.get("largest-contentful-paint", {}).get("numericValue")
    scores["failed_audits"] = failed[:10]
    scores["final_url"] = data.get("finalDisplayedUrl") or data.get("finalUrl")
    return scores
