"""What the bench installs for itself, and its log: `make bench` on a fresh clone needs nothing else.

- bench/.venv (Eve, matplotlib, pyinstrument, gunicorn for Eve): made with the
  project's uv from bench/requirements.txt, whose every line carries its hash.
- bench/node_modules (Lighthouse): `npm ci` from bench/package-lock.json.
- wrk: Debian's package (installed with apt-get when missing and running as root).
- chromium: Debian's package at /usr/bin/chromium (`.ci/run` installs it).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BENCH_VENV = BENCH / ".venv"


def log(*args):
    print(f"[bench {time.strftime('%H:%M:%S')}]", *args, flush=True)


def ensure_bench_venv():
    """bench/.venv from the hashed bench/requirements.txt, remade when that file changes."""
    requirements = BENCH / "requirements.txt"
    stamp = BENCH_VENV / ".requirements-sha256"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    uv = ROOT / ".venv" / "bin" / "uv"
    log("making bench/.venv with uv from bench/requirements.txt")
    subprocess.run(
        [uv, "venv", "--quiet", "--allow-existing", "-p", sys.executable, BENCH_VENV], check=True
    )
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--require-hashes", "-r", requirements],
        env={**os.environ, "VIRTUAL_ENV": str(BENCH_VENV)},
        check=True,
    )
    stamp.write_text(digest)


def ensure_bench_node_modules():
    """bench/node_modules (Lighthouse) exactly as bench/package-lock.json says."""
    installed = BENCH / "node_modules" / ".package-lock.json"  # npm writes it on install
    lock = BENCH / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    log("installing Lighthouse into bench/node_modules (npm ci)")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True)  # noqa: S607


def ensure_wrk():
    if not shutil.which("wrk") and os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk from Debian's packages")
        install = ["apt-get", "install", "-y", "-qq", "wrk"]
        if subprocess.run(install, check=False).returncode != 0:  # a stale package list
            subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607
            subprocess.run(install, check=True)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: sudo apt-get install wrk")
    return shutil.which("wrk")


def wrk_version():
    result = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return (result.stdout + result.stderr).splitlines()[0].split(" Copyright")[0].strip()


def package_version(package):
    from importlib.metadata import version

    try:
        return version(package)
    except Exception:
        return "?"
