"""An embedded MongoDB wire-protocol server for development and tests.

When ``MONGO_URI`` is unset outside production, the app talks to a SecantusDB
server (``secantusd-py``) running beside it, with its data under ``var/``.
It is reached through the same pymongo code as a real mongod. SecantusDB is
GPL-2.0, so it is a development dependency only and never ships in the image.

The first process that needs the server starts it and records it in
``var/mongo.json``; later processes (the Flask reloader's children, CLI
commands run while ``make dev`` is up) reuse it. The starter stops it on exit.
"""

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

# Without these the server is treated as a replica-set member and retryable
# writes slow down sharply after ~10k writes.
URI_OPTIONS = "retryWrites=false&directConnection=true"
START_TIMEOUT_SECONDS = 20


class EmbeddedMongo:
    """A ``secantusd-py`` process serving ``storage_path`` on localhost."""

    def __init__(self, process, port):
        self.process = process
        self.port = port
        self.uri = f"mongodb://127.0.0.1:{port}/?{URI_OPTIONS}"

    @classmethod
    def start(cls, storage_path, port=None):
        storage_path = Path(storage_path)
        storage_path.mkdir(parents=True, exist_ok=True)
        port = port or free_port()
        command = [
            _server_executable(),
            "--host", "127.0.0.1",
            "--port", str(port),
            "--storage-path", str(storage_path),
            "--sync-on-commit",  # never lose an acknowledged write to a crash
            "--log-level", "WARNING",
        ]  # fmt: skip
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        server = cls(process, port)
        server.wait_until_ready()
        return server

    def wait_until_ready(self):
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        client = MongoClient(self.uri, serverSelectionTimeoutMS=250)
        try:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"The embedded MongoDB exited with {self.process.returncode}."
                    )
                try:
                    client.admin.command("ping")
                    return
                except PyMongoError:
                    if time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError("The embedded MongoDB did not start in time.") from None
                    time.sleep(0.1)
        finally:
            client.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shared_server_uri(var_dir):
    """Return the URI of the development server for ``var_dir``, starting it if needed."""
    state_file = Path(var_dir) / "mongo.json"
    running = _read_state(state_file)
    if running:
        return running
    server = EmbeddedMongo.start(Path(var_dir) / "db")
    state_file.write_text(json.dumps({"pid": server.process.pid, "uri": server.uri}))

    def stop():
        state_file.unlink(missing_ok=True)
        server.stop()

    atexit.register(stop)
    return server.uri


def _read_state(state_file):
    try:
        state = json.loads(state_file.read_text())
        os.kill(state["pid"], 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state["uri"]


def _server_executable():
    found = shutil.which("secantusd-py") or str(Path(sys.executable).with_name("secantusd-py"))
    if not Path(found).exists():
        raise RuntimeError(
            "MONGO_URI is not set and the embedded MongoDB (SecantusDB) is not installed. "
            "Run `make dev`, or set MONGO_URI to a MongoDB server."
        )
    return found
