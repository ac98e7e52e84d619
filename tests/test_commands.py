"""``flask --app backend <command>``: create-user, seed, init-db, assets-manifest."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from backend.assets import BUNDLES
from tests.conftest import PASSWORD, csrf_token_from

PROJECT_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        # The `flask` command pushes an app context for every command; the
        # test runner does not, so do it as `flask` would.
        with app.app_context():
            return runner.invoke(args=list(args), **kwargs)

    return invoke


def can_log_in(app, email, password):
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    return response.status_code == 302


def test_create_user_makes_a_user_who_can_log_in(app, cli, db):
    result = cli("create-user", "Carol@Example.com", "--password", PASSWORD)

    assert result.exit_code == 0, result.output
    assert "Created carol@example.com." in result.output
    assert db.users.find_one()["email"] == "carol@example.com"
    assert can_log_in(app, "carol@example.com", PASSWORD)


def test_create_user_asks_for_the_password_twice(app, cli):
    result = cli("create-user", "carol@example.com", input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert can_log_in(app, "carol@example.com", PASSWORD)


def test_create_user_refuses_a_duplicate_email(cli, db):
    cli("create-user", "carol@example.com", "--password", PASSWORD)

    result = cli("create-user", "CAROL@example.com", "--password", "other password")

    assert result.exit_code == 1
    assert "already exists" in result.output
    assert db.users.count_documents({}) == 1


def test_seed_gives_a_user_demo_widgets_they_see_in_the_api(alice, cli):
    result = cli("seed", "Alice@example.com", "--count", "3")

    assert result.exit_code == 0, result.output
    assert "Added 3 widgets for alice@example.com." in result.output
    body = alice.get("/api/widgets?sort=name").get_json()
    assert body["total"] == 3
    assert [item["name"] for item in body["items"]] == [f"Demo widget {n}" for n in (1, 2, 3)]
    assert all(item["version"] == 1 for item in body["items"])


def test_seeded_widgets_belong_to_that_user_only(alice, bob, cli):
    cli("seed", "alice@example.com", "--count", "2")

    assert bob.get("/api/widgets").get_json()["total"] == 0


def test_seed_defaults_to_25_widgets(alice, cli):
    assert cli("seed", "alice@example.com").exit_code == 0

    assert alice.get("/api/widgets").get_json()["total"] == 25


def test_seed_with_zero_count_adds_nothing(alice, cli):
    assert cli("seed", "alice@example.com", "--count", "0").exit_code == 0

    assert alice.get("/api/widgets").get_json()["total"] == 0


def test_seed_refuses_an_unknown_email(cli, db):
    result = cli("seed", "nobody@example.com")

    assert result.exit_code == 1
    assert "No user has the email nobody@example.com" in result.output
    assert db.widgets.count_documents({}) == 0


def test_init_db_ensures_the_indexes(cli, db, settings):
    result = cli("init-db")

    assert result.exit_code == 0, result.output
    assert settings["MONGO_DATABASE"] in result.output
    users = db.users.index_information().values()
    assert any(index["key"] == [("email", 1)] and index.get("unique") for index in users)
    widget_keys = [index["key"] for index in db.widgets.index_information().values()]
    for field in ("name", "created_at", "updated_at"):
        assert [("owner_id", 1), (field, -1), ("_id", -1)] in widget_keys


def test_init_db_twice_is_harmless(cli):
    assert cli("init-db").exit_code == 0
    assert cli("init-db").exit_code == 0


def test_the_flask_command_runs_the_commands(mongo_uri, settings, tmp_path):
    env = {
        **os.environ,
        "APP_ENV": "test",
        "MONGO_URI": mongo_uri,
        "MONGO_DATABASE": settings["MONGO_DATABASE"],
        "SECRET_KEY": "x",
        "BCRYPT_ROUNDS": "4",
        "VAR_DIR": str(tmp_path / "var"),
    }
    flask = [sys.executable, "-m", "flask", "--app", "backend"]
    run = {"env": env, "cwd": PROJECT_DIR, "capture_output": True, "text": True, "timeout": 60}
    created = subprocess.run(
        [*flask, "create-user", "eve@example.com", "--password", "p" * 8], **run
    )
    assert created.returncode == 0, created.stderr
    seeded = subprocess.run([*flask, "seed", "eve@example.com", "--count", "2"], **run)
    assert "Added 2 widgets for eve@example.com." in seeded.stdout, seeded.stderr


# Assets manifest ------------------------------------------------------------


@pytest.fixture
def public_dir(tmp_path):
    public = tmp_path / "public"
    (public / "static" / "docs").mkdir(parents=True)
    for name in BUNDLES.values():
        (public / "static" / name).write_text(f"/* {name} */\n")
    return public


def css_url(app):
    page = app.test_client().get("/login").get_data(as_text=True)
    match = re.search(r'href="(/static/app\.css\?[^"]+)"', page)
    assert match, page
    return match.group(1)


def test_assets_manifest_records_each_bundles_hash(make_app, public_dir):
    app = make_app({"PUBLIC_DIR": str(public_dir)})

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["assets-manifest"])

    assert result.exit_code == 0, result.output
    manifest = json.loads((public_dir / "webassets-manifest.json").read_text())
    assert set(manifest) == set(BUNDLES.values())
    assert css_url(app).endswith(f"?{manifest['app.css']}")


def test_production_takes_asset_urls_from_the_manifest_without_hashing(make_app, public_dir):
    build = make_app({"PUBLIC_DIR": str(public_dir)})
    with build.app_context():
        build.test_cli_runner().invoke(args=["assets-manifest"])
    development = make_app({"PUBLIC_DIR": str(public_dir)})
    production = make_app({"APP_ENV": "production", "PUBLIC_DIR": str(public_dir)})
    built = css_url(production)

    (public_dir / "static" / "app.css").write_text("body { color: red }\n")

    assert css_url(production) == built
    assert css_url(development) != built


def test_production_without_a_manifest_hashes_the_files(make_app, public_dir):
    production = make_app({"APP_ENV": "production", "PUBLIC_DIR": str(public_dir)})

    assert re.fullmatch(r"/static/app\.css\?[0-9a-f]+", css_url(production))
