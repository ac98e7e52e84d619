"""The front end's weight and speed: build time, bytes, time to the rendered list, Lighthouse.

`build()` runs before any server starts, as the image is made: the project's
own `npm run build` (Brunch, pinned in package.json), then the webassets
manifest the Dockerfile writes. `measure()` then takes Flaskbone's running
production server: the bytes of every script and style the list page loads,
the time to the rendered list in Debian's Chromium (playwright, never a
downloaded browser), and Lighthouse's mobile scores for the list page.
"""

import datetime as dt
import gzip
import json
import os
import re
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from bson import ObjectId
from data import register

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
CHROMIUM = "/usr/bin/chromium"
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RUNS = 7
# Lighthouse runs on the list page; the report shows the median one (see median_lighthouse).
LIGHTHOUSE_RUNS = 3
# Lighthouse's words when a run failed for its own reasons, e.g. NO_NAVSTART.
RUN_AGAIN = "Please run Lighthouse again"
LIGHTHOUSE_ATTEMPTS = 2
ASSET = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*rel="stylesheet"[^>]*\shref)="([^"]+)"')


def build(log):
    """The production build, timed: `npm run build` with the project's node_modules/.bin."""
    log("front end: the production build (npm run build, then the assets manifest)")
    env = {
        **os.environ,
        "PATH": f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
    }
    t = time.perf_counter()
    subprocess.run(["npm", "run", "build"], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S607
    took = time.perf_counter() - t
    # As the Dockerfile does: production reads the assets' hashes from this manifest.
    manifest_env = {
        **env,
        "APP_ENV": "production",
        "SECRET_KEY": "bench-build-only-not-a-secret-0123456789abcdef",
        "MONGO_URI": "mongodb://bench-build.invalid/",
    }
    flask = ROOT / ".venv" / "bin" / "flask"
    subprocess.run(
        [flask, "--app", "backend", "assets-manifest"],
        cwd=ROOT, env=manifest_env, check=True, capture_output=True,
    )  # fmt: skip
    return {"build_s": took}


def measure(us, out, log):
    """Bytes, first render and Lighthouse of the list page, for a user with 25 widgets."""
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
    result = {
        "sizes": asset_sizes(us.base + "/widgets", cookie),
        "render_ms": time_to_list(us.base, cookie, expected, log),
        "lighthouse": {
            "list": median_lighthouse(us.base + "/widgets", cookie, out / "lighthouse-list", log),
            "login": lighthouse(us.base + "/login", None, out / "lighthouse-login.json", log),
        },
    }
    final = urlsplit(result["lighthouse"]["list"]["final_url"] or "").path
    if final != "/widgets":  # the login page instead: the cookie was not taken
        raise RuntimeError(f"Lighthouse measured {final!r}, not the list page /widgets")
    return result


def asset_sizes(page_url, cookie):
    """Raw and gzip (level 6) bytes of each script and stylesheet the page loads."""
    html = requests.get(page_url, headers={"Cookie": cookie}, timeout=30)
    html.raise_for_status()
    sizes = {}
    for src in ASSET.findall(html.text):
        url = urljoin(page_url, src)
        if urlsplit(url).netloc != urlsplit(page_url).netloc:
            continue
        data = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=30)
        data.raise_for_status()
        sizes[urlsplit(url).path] = {
            "raw": len(data.content),
            "gzip": len(gzip.compress(data.content, compresslevel=6)),
        }
    if not sizes:
        raise RuntimeError(f"{page_url} loads no script or stylesheet")
    return sizes


def time_to_list(base, cookie_header, expected, log):
    """Milliseconds from navigation start to all 20 names of the first page on screen."""
    from playwright.sync_api import sync_playwright

    log(f"front end: time to the rendered list, {RUNS} cold runs in headless Chromium")
    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        try:
            for _ in range(RUNS):
                # A cold cache each run. The cookies go as a header, as Lighthouse sends
                # them: production's `__Host-` Secure cookie cannot be set for http.
                context = browser.new_context(extra_http_headers={"Cookie": cookie_header})
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


def median_lighthouse(url, cookie, out_stem, log, runs=LIGHTHOUSE_RUNS):
    """The run of median performance among ``runs`` (Lighthouse's own advice: its
    score moves by a few points from run to run), with every run's score."""
    results = [
        lighthouse(url, cookie, out_stem.with_name(f"{out_stem.name}-{n}.json"), log)
        for n in range(1, runs + 1)
    ]
    results.sort(key=lambda scores: scores.get("performance", 0))
    return {
        **results[len(results) // 2],
        "performance_runs": [r.get("performance") for r in results],
    }


def run_lighthouse(command, env, log):
    """Runs ``command``, again when Lighthouse says a failure was its own and asks
    for that (a trace it could not record, seen here on a loaded machine); any
    other failure, or the last attempt's, raises ``CalledProcessError``."""
    for attempt in range(1, LIGHTHOUSE_ATTEMPTS + 1):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        if result.returncode == 0:
            return
        if attempt == LIGHTHOUSE_ATTEMPTS or RUN_AGAIN not in result.stderr:
            raise subprocess.CalledProcessError(
                result.returncode, command, result.stdout, result.stderr
            )
        reason = result.stderr.strip().splitlines()[-1]
        log(f"front end: Lighthouse asks to be run again ({reason}): attempt {attempt + 1}")


def lighthouse(url, cookie, out_file, log):
    """Lighthouse's default (mobile, simulated throttling) in Debian's Chromium, headless."""
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
    run_lighthouse(command, {**os.environ, "CHROME_PATH": CHROMIUM}, log)
    data = json.loads(Path(out_file).read_text())
    if data.get("runtimeError"):
        raise RuntimeError(f"Lighthouse on {url}: {data['runtimeError']}")
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
