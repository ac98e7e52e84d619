"""scripts/dev.py (`make dev`): the demo account it makes on first run, and how it stops."""

import importlib.util
import subprocess
from pathlib import Path

import pytest

from tests.conftest import csrf_token_from
from tests.servers import alive, wait_for

DEV_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "dev.py"


@pytest.fixture
def dev(monkeypatch, settings, tmp_path):
    if not DEV_SCRIPT.exists():
        pytest.skip("no scripts/dev.py")
    for name in ("MONGO_DATABASE", "VAR_DIR", "BCRYPT_ROUNDS"):
        monkeypatch.setenv(name, str(settings[name]))
    spec = importlib.util.spec_from_file_location("dev_script", DEV_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_first_run_makes_a_demo_user_with_widgets_once(dev, make_app, settings, tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir(exist_ok=True)

    password = dev.ensure_demo_user(settings["MONGO_URI"], var_dir)
    again = dev.ensure_demo_user(settings["MONGO_URI"], var_dir)

    assert again == password == (var_dir / "demo-password").read_text()
    client = make_app().test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    login = client.post(
        "/login", data={"email": dev.DEMO_EMAIL, "password": password, "csrf_token": token}
    )
    assert login.status_code == 302
    assert client.get("/api/widgets").get_json()["total"] == 25


def test_stopping_a_child_stops_what_the_child_started_too(dev):
    # As npm runs Brunch through a shell, which does not pass a SIGTERM on.
    child = dev.start(["sh", "-c", "sleep 60 & echo $!; wait"], stdout=subprocess.PIPE, text=True)
    grandchild = int(child.stdout.readline())

    dev.stop(child)

    assert child.wait(timeout=10) != 0
    wait_for(lambda: not alive(grandchild), "the grandchild ends")
