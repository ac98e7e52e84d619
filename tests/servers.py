"""The app served over real HTTP on 127.0.0.1, for tests that need sockets and threads,
the app under gunicorn in a process of its own, and the waits for servers and processes."""

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from devtools.embedded_mongo import free_port
from tests import outbox

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The image's gunicorn settings (its Dockerfile's --config), for every gunicorn the tests start.
GUNICORN_CONFIG = "python:backend.gunicorn_conf"


@contextmanager
def serving(app):
    """Serve ``app`` with a thread per request; yield its base URL. Its emails are
    read (and its outbox delivered) as tests/outbox.py does for the test app's."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.port}"
    var_dir = Path(app.config["VAR_DIR"])
    outbox.VAR_DIRS[url] = var_dir
    delivers = outbox.APPS.setdefault(var_dir, app) is app
    try:
        yield url
    finally:
        server.shutdown()
        thread.join()
        outbox.VAR_DIRS.pop(url, None)
        if delivers:
            outbox.APPS.pop(var_dir, None)


WAIT_SECONDS = 10  # for what happens ~10 ms later, on a machine that may be busy


def wait_for(condition, what, timeout=WAIT_SECONDS):
    """Poll ``condition()`` until it is true; fail, naming ``what``, after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.01)


def alive(pid):
    """Whether process ``pid`` still runs (a zombie that nobody has reaped yet does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie of a process we did not reap still answers; /proc says which.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def wait_until_healthy(url, process, timeout=20, log=lambda: ""):
    """Poll ``url``/healthz until it answers 200; fail if ``process`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with status {process.returncode}\n{log()}")
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer {url}/healthz within {timeout} s\n{log()}")


class Gunicorn:
    """The tests' app under gunicorn, as the browser tests' live_server runs it,
    restartable. Its output goes to ``log`` (a path) when given, else to the test's."""

    def __init__(self, mongo_uri, database, var_dir, log=None, **settings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "APP_ENV": "test",
            "MONGO_URI": mongo_uri,
            "MONGO_DATABASE": database,
            "SECRET_KEY": "browser-test-secret-key",
            "BCRYPT_ROUNDS": "4",
            "VAR_DIR": str(var_dir),
            "SMTP_HOST": "",
            "MAIL_WORKER": "thread",
            **settings,
        }
        self.log = log
        self.process = None

    def start(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [gunicorn, "tests.sample_app:create_app()", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--config", GUNICORN_CONFIG, "--threads", "16"]
        output = self.log.open("a") if self.log else None
        # A process group of its own, so that crash() can kill the workers too.
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=self.env,
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
        if output:
            output.close()  # the server has its own copy
        wait_until_healthy(
            self.url, self.process, log=self.log.read_text if self.log else lambda: ""
        )

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)

    def crash(self):
        """Kills master and workers at once, as a crash or a killed container
        would: no stream ends cleanly, the page just loses its connection."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)
