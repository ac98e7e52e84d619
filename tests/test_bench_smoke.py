"""The benchmark harness (`make bench`) starts, measures and stops cleanly.

A minute-long run: floor + our app under gunicorn, each with its own
database, wrk, tiny data, three live streams; no Eve, no front end. Needs only the project's venv and wrk (the harness installs
wrk from Debian's packages when it runs as root and wrk is missing).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import alive

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    not shutil.which("wrk") and os.geteuid() != 0,
    reason="wrk is not installed (apt-get install wrk)",
)
def test_bench_smoke(tmp_path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["failures"] == []
    for server in ("floor", "us"):
        for op in ("list", "get", "post", "put", "delete"):
            result = results["throughput"]["combined"][f"{server}/{op}"]
            assert result["requests"] > 0, (server, op, result)
            assert result["non2xx"] == 0, (server, op, result)
            # Each server's own processes and database did the work.
            assert result["cpu_ms_per_req"] > 0, (server, op, result)
            assert result["db_ops_per_req"] > 0.5, (server, op, result)
    assert results["growth"]["rows"], results["growth"]
    # The deep page by keyset too, from the Link header of the page before it.
    assert results["growth"]["rows"][-1]["http_deep_after_ms"], results["growth"]
    assert results["streams"]["phases"]["idle"][0]["streams_open"] == 3
    report = (tmp_path / "benchmarks.md").read_text()
    assert "## API: requests per second and latency" in report
    assert "## CPU per request" in report and "## Live streams" in report
    # Everything the harness started (database, gunicorn servers) is gone.
    assert results["pids"]
    assert not [pid for pid in results["pids"] if alive(pid)]
