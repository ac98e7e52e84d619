"""The app served over real HTTP on 127.0.0.1, for tests that need sockets and threads,
and the wait for a server started in a subprocess."""

import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from tests import outbox


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
