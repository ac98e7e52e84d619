"""make bench runs Lighthouse again when Lighthouse asks for it (bench/frontend_bench.py).

A trace it could not record ("Please run Lighthouse again. (NO_NAVSTART)") left
a whole run's report without its front-end section; any other failure still
stops the run.
"""

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from frontend_bench import run_lighthouse

NO_NAVSTART = (
    "Runtime error encountered: Something went wrong with recording the trace over "
    "your page load. Please run Lighthouse again. (NO_NAVSTART)"
)


def fake_lighthouse(tmp_path, *failures):
    """A command failing with each of ``failures`` (stderr) in turn, then passing."""
    script = tmp_path / "lighthouse"
    counter = tmp_path / "runs"
    lines = ["#!/bin/sh", f"n=$(cat {counter} 2>/dev/null || echo 0); echo $((n + 1)) > {counter}"]
    for n, stderr in enumerate(failures):
        lines.append(f'[ "$n" = {n} ] && {{ echo "{stderr}" >&2; exit 1; }}')
    lines.append("exit 0")
    script.write_text("\n".join(lines) + "\n")
    script.chmod(0o755)
    return [str(script)], lambda: int(counter.read_text())


def test_a_run_lighthouse_asks_to_repeat_is_repeated_once(tmp_path):
    command, runs = fake_lighthouse(tmp_path, NO_NAVSTART)
    said = []
    run_lighthouse(command, {}, said.append)
    assert runs() == 2
    assert "(NO_NAVSTART)" in said[0]


def test_lighthouse_is_not_run_a_third_time(tmp_path):
    command, runs = fake_lighthouse(tmp_path, NO_NAVSTART, NO_NAVSTART)
    with pytest.raises(subprocess.CalledProcessError):
        run_lighthouse(command, {}, lambda message: None)
    assert runs() == 2


def test_any_other_failure_stops_at_once(tmp_path):
    command, runs = fake_lighthouse(tmp_path, "Unable to connect to Chrome")
    with pytest.raises(subprocess.CalledProcessError) as failure:
        run_lighthouse(command, {}, lambda message: None)
    assert "Unable to connect" in failure.value.stderr
    assert runs() == 1
