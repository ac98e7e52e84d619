"""`make loadtest`: gunicorn and MongoDB on 127.0.0.1, driven by locust for a set time.

Environment: LOADTEST_SECONDS (default 30, at most 600), LOADTEST_USERS (50),
WEB_CONCURRENCY (2 gunicorn workers), GUNICORN_THREADS (4), and MONGO_URI
(default: an embedded server on a temporary path). Prints requests/s, p50,
p99 and errors; exits non-zero on any error. Stops everything it started.
"""

import csv
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from devtools.embedded_mongo import EmbeddedMongo, free_port

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
MAX_SECONDS = 600


def main():
    seconds = min(int(os.environ.get("LOADTEST_SECONDS", "30")), MAX_SECONDS)
    users = int(os.environ.get("LOADTEST_USERS", "50"))
    with tempfile.TemporaryDirectory() as tmp:
        mongo = None if os.environ.get("MONGO_URI") else EmbeddedMongo.start(Path(tmp) / "db")
        port = free_port()
        env = {
            **os.environ,
            # "test": plain-HTTP cookies (production's are Secure) and a fresh database.
            "APP_ENV": "test",
            "SECRET_KEY": secrets.token_hex(32),
            "MONGO_URI": os.environ.get("MONGO_URI") or mongo.uri,
            "MONGO_DATABASE": f"loadtest_{secrets.token_hex(4)}",
            "VAR_DIR": tmp,
            # Each user registers once; bcrypt's full cost would measure only that.
            "BCRYPT_ROUNDS": "4",
        }
        create_users(env, users)
        gunicorn = subprocess.Popen(
            [
                BIN / "gunicorn",
                "--bind", f"127.0.0.1:{port}",
                "--workers", os.environ.get("WEB_CONCURRENCY", "2"),
                "--threads", os.environ.get("GUNICORN_THREADS", "4"),
                "--no-control-socket",
                "--log-level", "warning",
                "backend:create_app()",
            ],
            env=env,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for(f"{url}/healthz")
            print(f"locust: {users} users for {seconds} s against gunicorn at {url}", flush=True)
            stats = Path(tmp) / "stats"
            subprocess.run(
                [
                    BIN / "locust", "-f", HERE / "locustfile.py", "--headless", "--only-summary",
                    "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s",
                    "--stop-timeout", "5", "--host", url, "--csv", stats, "--exit-code-on-error", "0",
                ],
                check=True,
                timeout=seconds + 60,
            )  # fmt: skip
            return report(Path(f"{stats}_stats.csv"))
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
            if mongo:
                mongo.stop()


def create_users(env, count):
    """Verified accounts for locust's users (registering logs nobody in until its
    emailed link is followed): load-0@example.com ... as locustfile.py expects."""
    # Not imported from locustfile.py: importing locust patches this process with gevent.
    from backend import create_app
    from backend.auth import models

    password = "load test password"  # throwaway users of a throwaway database  # noqa: S105  # nosec B105

    app = create_app(
        {
            name: env[name]
            for name in (
                "APP_ENV",
                "SECRET_KEY",
                "MONGO_URI",
                "MONGO_DATABASE",
                "VAR_DIR",
                "BCRYPT_ROUNDS",
            )
        }
    )
    with app.app_context():
        for number in range(count):
            models.create_user(f"load-{number}@example.com", password, verified=True)
    app.extensions["mongo"].close()


def wait_for(url, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urlopen(url, timeout=2):  # our own http://127.0.0.1 URL  # noqa: S310  # nosec B310
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def report(stats_csv):
    with stats_csv.open() as f:
        total = next(row for row in csv.DictReader(f) if row["Name"] == "Aggregated")
    errors = int(total["Failure Count"])
    print(
        f"\n{int(total['Request Count'])} requests, {float(total['Requests/s']):.0f} req/s, "
        f"p50 {total['50%']} ms, p99 {total['99%']} ms, {errors} errors"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
