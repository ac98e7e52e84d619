"""bench/streams.py (200 live streams against none) runs, counts and reports, in seconds.

A tiny run: 5 streams, 1-second rounds. The figures mean nothing at this size;
what is checked is that the harness opens the streams under the image's own
gunicorn command, that each change reaches exactly one stream, and that the
report section is written in place, twice without doubling, and that it
leaves no database behind in the temporary folder.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    not shutil.which("wrk") and os.geteuid() != 0,
    reason="wrk is not installed (apt-get install wrk)",
)
def test_streams_bench_smoke(tmp_path):
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nEarlier sections.\n")
    command = [
        sys.executable, str(ROOT / "bench" / "streams.py"),
        "--streams", "5", "--seconds", "1", "--rounds", "1", "--warmup", "0",
        "--writes-per-second", "5", "--out", str(tmp_path), "--docs", str(docs),
    ]  # fmt: skip
    scratch = tmp_path / "tmp"  # the harness's temporary folder (its database)
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    run = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert list(scratch.iterdir()) == []

    results = json.loads((tmp_path / "streams.json").read_text())
    assert (results["workers"], results["threads"]) == (2, 256)  # the Dockerfile's ENV
    phases = results["phases"]
    assert [r["streams_open"] for p in ("none", "idle", "events") for r in phases[p]] == [0, 5, 5]
    events = phases["events"][0]
    assert events["writes"] > 0
    # Each change goes to its owner's one stream (a last write may still be on its way).
    assert events["writes"] - 1 <= events["events_received"] <= events["writes"]
    assert all(r["errors_status"] == 0 for p in phases.values() for r in p)

    again = [*command[:-4], "--out", str(tmp_path), "--docs", str(docs), "--report-only"]
    assert subprocess.run(again, capture_output=True, timeout=60, check=False).returncode == 0
    text = docs.read_text()
    assert text.startswith("# Benchmarks\n\nEarlier sections.\n")
    assert text.count("## Live streams") == 1 and "p99 vs none" in text
