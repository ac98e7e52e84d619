"""The app served over real HTTP on 127.0.0.1, for tests that need sockets and threads,
and the wait for a server started in a subprocess."""

import threading
import time
from contextlib import contextmanager

import pytest
import requests
from werkzeug.serving import make_server


@contextmanager
def serving(app):
    """Serve ``app`` with a thread per request; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        thread.join()


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
