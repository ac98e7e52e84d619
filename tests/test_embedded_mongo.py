"""The embedded MongoDB of development: started once, shared, stopped on exit."""

import atexit
import json
import os
import subprocess
import sys

import pytest
from pymongo import MongoClient

from backend import create_app
from backend.settings import ConfigError
from devtools import embedded_mongo
from devtools.embedded_mongo import EmbeddedMongo, shared_server_uri


@pytest.fixture
def exit_hooks(monkeypatch):
    """What the server registers to run at exit, run at the end of the test instead."""
    hooks = []
    monkeypatch.setattr(atexit, "register", hooks.append)
    yield hooks
    for hook in hooks:
        hook()


def pid_of(var_dir):
    return json.loads((var_dir / "mongo.json").read_text())["pid"]


def alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def test_the_shared_server_is_started_once_and_reused(tmp_path, exit_hooks):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    (var_dir / "mongo.json").write_text("not json")  # left over from a crash

    uri = shared_server_uri(var_dir)
    pid = pid_of(var_dir)

    assert shared_server_uri(var_dir) == uri
    assert pid_of(var_dir) == pid and len(exit_hooks) == 1
    with MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        client.scratch.things.insert_one({"kept": True})
    assert (var_dir / "db").is_dir()

    exit_hooks.pop()()
    assert not (var_dir / "mongo.json").exists()
    assert not alive(pid)


def test_a_state_file_of_a_dead_server_starts_a_new_one(tmp_path, exit_hooks):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    dead = {"pid": finished.pid, "uri": "mongodb://127.0.0.1:1/"}
    (var_dir / "mongo.json").write_text(json.dumps(dead))

    uri = shared_server_uri(var_dir)

    assert uri != dead["uri"]
    assert pid_of(var_dir) != finished.pid
    with MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
        client.admin.command("ping")


def test_development_without_mongo_uri_uses_the_shared_server(exit_hooks, make_app, tmp_path):
    # make_app after exit_hooks: the apps close before the server stops.
    development = {"APP_ENV": "development", "MONGO_URI": "", "VAR_DIR": str(tmp_path)}
    first = make_app(development)
    second = make_app(development)

    assert first.extensions["mongo"].uri == second.extensions["mongo"].uri
    assert first.test_client().get("/healthz").get_json() == {"status": "ok"}
    assert second.test_client().get("/healthz").status_code == 200
    assert len(exit_hooks) == 1


def test_a_missing_server_program_says_how_to_fix_it(monkeypatch, tmp_path):
    monkeypatch.setattr(embedded_mongo.shutil, "which", lambda name: None)
    monkeypatch.setattr(embedded_mongo.sys, "executable", str(tmp_path / "python"))

    with pytest.raises(RuntimeError, match="MONGO_URI"):
        EmbeddedMongo.start(tmp_path / "db")


def test_without_devtools_an_unset_mongo_uri_is_refused_at_start_up(settings, monkeypatch):
    # As in the Docker image, which holds backend/ but not devtools/.
    for module in ("devtools", "devtools.embedded_mongo"):
        monkeypatch.setitem(sys.modules, module, None)

    with pytest.raises(ConfigError, match="MONGO_URI is not set and the embedded"):
        create_app({**settings, "APP_ENV": "development", "MONGO_URI": ""})
