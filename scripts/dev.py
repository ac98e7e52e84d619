"""`make dev`: the whole app on http://127.0.0.1:PORT, reloading on every change.

Starts the embedded MongoDB (unless MONGO_URI is set), Brunch in watch mode and
Flask with its reloader. Ctrl-C, SIGTERM, or any of them exiting, stops them all.
"""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from backend import create_app  # noqa: E402
from backend.auth import models as auth  # noqa: E402
from backend.extensions import mongo  # noqa: E402
from backend.settings import load_settings  # noqa: E402
from devtools.embedded_mongo import shared_server_uri  # noqa: E402

DEMO_EMAIL = "demo@example.com"
BIN = Path(sys.executable).parent


def main():
    env_file = PROJECT_DIR / ".env"
    if not env_file.exists():
        env_file.write_text((PROJECT_DIR / ".env.example").read_text())
        print("Made .env from .env.example.")
    settings = load_settings({"APP_ENV": os.environ.get("APP_ENV", "development")})
    port = os.environ.get("PORT", "8000")
    env = {**os.environ, "APP_ENV": settings["APP_ENV"]}
    if not settings["MONGO_URI"]:
        env["MONGO_URI"] = shared_server_uri(settings["VAR_DIR"])
        demo_password = ensure_demo_user(env["MONGO_URI"], settings["VAR_DIR"])
        login_hint = f"Log in as {DEMO_EMAIL} / {demo_password}, or register at /register."
    else:
        login_hint = "Register an account at /register, or: flask --app backend create-user EMAIL"

    children = [
        start(["npm", "run", "--silent", "watch"], cwd=PROJECT_DIR, env=env),
        start(
            [BIN / "flask", "--app", "backend", "run", "--debug", "--port", port],
            cwd=PROJECT_DIR,
            env=env,
        ),
    ]
    print(
        f"\n  Flaskbone is starting on http://127.0.0.1:{port}\n  {login_hint}\n  Ctrl-C stops it all.\n"
    )
    try:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        os.wait()  # until one child exits or Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            stop(child)
        for child in children:
            child.wait()
    # The embedded MongoDB stops at exit (see shared_server_uri).


def start(command, **kwargs):
    """Run ``command`` as the leader of a process group of its own.

    What it starts runs in that group too: npm runs Brunch through a shell,
    Flask's reloader runs a second Flask. Stopping the group stops them all,
    however dev.py is stopped (Ctrl-C, or SIGTERM from an IDE or ``kill``,
    which npm would not pass on to Brunch).
    """
    return subprocess.Popen(command, start_new_session=True, **kwargs)


def stop(child):
    """Stop ``child``'s whole process group (see :func:`start`)."""
    with contextlib.suppress(ProcessLookupError):  # gone already
        os.killpg(child.pid, signal.SIGTERM)


def ensure_demo_user(mongo_uri, var_dir):
    """A demo account with some widgets, made on first run (the embedded database only)."""
    password_file = var_dir / "demo-password"
    app = create_app({"APP_ENV": "development", "MONGO_URI": mongo_uri})
    with app.app_context():
        if not mongo.db[auth.USERS].find_one({"email": DEMO_EMAIL}):
            password = secrets.token_urlsafe(9)
            auth.create_user(DEMO_EMAIL, password, verified=True)
            password_file.write_text(password)
            app.test_cli_runner().invoke(args=["seed", DEMO_EMAIL])
    return password_file.read_text() if password_file.exists() else "(see var/demo-password)"


if __name__ == "__main__":
    main()
