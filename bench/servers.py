"""The servers under test: each a gunicorn with a database server of its own, and their CPU.

Each server gets its own SecantusDB process, so a database's CPU time and
operation counts during a timed run belong to that server alone (a change
stream's polling or a session lookup included), whatever the others do.
"""

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import requests
from pymongo import MongoClient

from devtools.embedded_mongo import EmbeddedMongo, free_port

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
OPCOUNTERS = ("insert", "query", "update", "delete", "getmore", "command")


class Processes:
    """Everything the harness starts, stopped in reverse order on exit."""

    def __init__(self):
        self.running = []
        self.pids = []  # every process ever started, for the smoke test to see them gone

    def start(self, command, env=None, log_path=None, cwd=ROOT):
        """Start ``command`` with ``env`` over ours (a value of None unsets the variable)."""
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
        environment = {**os.environ, **(env or {})}
        process = subprocess.Popen(
            command,
            env={k: v for k, v in environment.items() if v is not None},
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self.adopt(process)

    def adopt(self, process):
        self.running.append(process)
        self.pids.append(process.pid)
        return process

    @staticmethod
    def stop(process):
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop_all(self):
        while self.running:
            self.stop(self.running.pop())


def wait_for_http(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            requests.get(url, timeout=1, allow_redirects=False)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def gunicorn_command(python, app, port, cfg, config=None):
    """One command line for every server, so only the app (and its settings) differs.

    Flaskbone's image runs 256 threads a worker (each open /api/events stream
    holds one) and an access log; here all three get the same workers and
    threads and no access log, which the bench states in its report. A
    ``config`` is the app's own gunicorn settings module, as its image runs it.
    """
    settings = ["--config", config] if config else []
    return [
        str(python), "-m", "gunicorn", app, *settings,
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(cfg["workers"]),
        "--worker-class", "gthread",
        "--threads", str(cfg["threads"]),
        "--chdir", str(ROOT),
        "--graceful-timeout", "5",
        "--log-level", "warning",
    ]  # fmt: skip


def gunicorn_env(extra):
    """``extra``, and unset what would change gunicorn's settings behind the command line."""
    return {"GUNICORN_CMD_ARGS": None, "WEB_CONCURRENCY": None, **extra}


# CPU time from /proc -------------------------------------------------------------


def _stat(pid):
    """(ppid, own CPU ticks, reaped children's CPU ticks) of a process, from /proc/<pid>/stat."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    # fields[0] is field 3 (state): ppid is field 4, utime..cstime fields 14-17.
    ppid, utime, stime, cutime, cstime = (int(fields[i]) for i in (1, 11, 12, 13, 14))
    return ppid, utime + stime, cutime + cstime


def _children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if _stat(int(entry.name))[0] == pid:
                    found.append(int(entry.name))
    return found


def tree_cpu(pid):
    """CPU seconds (user + system) of a process and its live children, plus its
    reaped children's (a worker gunicorn replaced still counts): (seconds, pids)."""
    _, own, reaped = _stat(pid)
    children = _children(pid)
    ticks = own + reaped + sum(_stat(child)[1] for child in children)
    return ticks / CLOCK_TICKS, sorted(children)


# Servers ---------------------------------------------------------------------------


class Database:
    """A SecantusDB process of one server's own, and a client of the harness's."""

    def __init__(self, path, processes):
        self.mongo = EmbeddedMongo.start(path)
        processes.adopt(self.mongo.process)
        self.client = MongoClient(self.mongo.uri, tz_aware=True)

    @property
    def uri(self):
        return self.mongo.uri

    def cpu_seconds(self):
        return tree_cpu(self.mongo.process.pid)[0]

    def operations(self):
        """The server's operation counters (serverStatus.opcounters), summed."""
        counters = self.client.admin.command("serverStatus")["opcounters"]
        return sum(counters.get(name, 0) for name in OPCOUNTERS)


class Server:
    """One server under test: its gunicorn, its database, how to reach its widgets."""

    def __init__(self, key, label, base, path, list_query, items_key, database, db_name, process):
        self.key, self.label, self.base, self.path = key, label, base, path
        self.list_query, self.items_key = list_query, items_key
        self.database, self.db, self.process = database, database.client[db_name], process
        self.cookie = ""
        self.csrf = ""

    def headers(self):
        headers = {"Accept": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        return headers

    def stop(self, processes):
        processes.stop(self.process)
        processes.stop(self.database.mongo.process)

    def sample(self):
        """What a timed run is measured between: CPU of both processes, database operations."""
        cpu, workers = tree_cpu(self.process.pid)
        return {
            "cpu_s": cpu,
            "workers": workers,
            "db_cpu_s": self.database.cpu_seconds(),
            "db_ops": self.database.operations(),
        }


def start_server(processes, cfg, work, out, *, key, python, app, env, config=None, **shape):
    """A server under gunicorn with a database server of its own (database ``bench_<key>``)."""
    database = Database(work / f"db-{key}", processes)
    db_name = f"bench_{key}"
    port = free_port()
    process = processes.start(
        gunicorn_command(python, app, port, cfg, config),
        gunicorn_env({**env, "MONGO_URI": database.uri, "MONGO_DATABASE": db_name}),
        out / f"server-{key}.log",
    )
    base = f"http://127.0.0.1:{port}"
    return Server(key, base=base, database=database, db_name=db_name, process=process, **shape)
