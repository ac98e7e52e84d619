"""Settings come from the environment and .env, with safe defaults and helpful refusals."""

import stat

import pytest

import backend.settings
from backend import create_app
from backend.settings import ConfigError, load_settings
from tests.conftest import Browserless

SETTING_NAMES = ("APP_ENV", "SECRET_KEY", "MONGO_URI", "MONGO_DATABASE", "VAR_DIR", "PUBLIC_DIR")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No setting from the real environment or the project's .env leaks in."""
    for name in SETTING_NAMES:
        monkeypatch.setenv(name, "")  # so that monkeypatch restores it, even after .env sets it
        monkeypatch.delenv(name)
    monkeypatch.setattr(backend.settings, "PROJECT_DIR", tmp_path)


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError) as refused:
        create_app(
            {"APP_ENV": "production", "MONGO_URI": "mongodb://db/", "VAR_DIR": str(tmp_path)}
        )

    message = str(refused.value)
    assert "SECRET_KEY is not set" in message
    assert ".env" in message and "token_hex" in message
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_an_empty_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"APP_ENV": "production", "SECRET_KEY": ""})


def test_production_refuses_to_start_without_mongo_uri():
    with pytest.raises(ConfigError, match="MONGO_URI is not set"):
        create_app({"APP_ENV": "production", "SECRET_KEY": "s" * 64})


def test_app_env_defaults_to_production():
    assert load_settings({"SECRET_KEY": "s" * 64})["APP_ENV"] == "production"
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()


@pytest.mark.parametrize("app_env", ["prod", "Production", "dev", ""])
def test_bad_app_env_is_refused_with_the_choices(app_env):
    with pytest.raises(ConfigError) as refused:
        load_settings({"APP_ENV": app_env, "SECRET_KEY": "x"})

    assert "development, test, production" in str(refused.value)
    assert repr(app_env) in str(refused.value)


def test_development_makes_a_secret_key_once_and_keeps_it(tmp_path):
    var_dir = tmp_path / "var"
    first = load_settings({"APP_ENV": "development", "VAR_DIR": str(var_dir)})["SECRET_KEY"]
    second = load_settings({"APP_ENV": "development", "VAR_DIR": str(var_dir)})["SECRET_KEY"]

    assert first == second
    assert len(first) >= 64
    key_file = var_dir / "secret_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_each_var_dir_gets_its_own_development_key(tmp_path):
    keys = {
        load_settings({"APP_ENV": "development", "VAR_DIR": str(tmp_path / name)})["SECRET_KEY"]
        for name in ("one", "two")
    }

    assert len(keys) == 2


def test_a_secret_key_from_the_environment_wins(tmp_path):
    settings = load_settings(
        {"APP_ENV": "development", "SECRET_KEY": "given", "VAR_DIR": str(tmp_path)}
    )

    assert settings["SECRET_KEY"] == "given"
    assert not (tmp_path / "secret_key").exists()


def test_development_sessions_survive_a_restart(make_app, tmp_path):
    development = {"APP_ENV": "development", "SECRET_KEY": "", "VAR_DIR": str(tmp_path)}
    before = make_app(development)
    user = Browserless(before.test_client(), "alice@example.com").register()

    after = make_app(development).test_client()
    after.set_cookie("session", user.client.get_cookie("session").value)

    assert after.get("/api/widgets").status_code == 200


def test_settings_are_read_from_the_env_file(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("APP_ENV=test\nSECRET_KEY=from-file\nMONGO_DATABASE=from_file\n")
    monkeypatch.setenv("MONGO_DATABASE", "from_environment")

    settings = load_settings()

    assert settings["APP_ENV"] == "test"
    assert settings["SECRET_KEY"] == "from-file"
    assert settings["MONGO_DATABASE"] == "from_environment"  # the environment wins


def test_overrides_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("MONGO_DATABASE", "from_environment")

    settings = load_settings({"APP_ENV": "test", "SECRET_KEY": "x", "MONGO_DATABASE": "given"})

    assert settings["MONGO_DATABASE"] == "given"


def test_defaults(tmp_path):
    settings = load_settings({"APP_ENV": "test", "SECRET_KEY": "x"})

    assert settings["MONGO_URI"] == ""
    assert settings["MONGO_DATABASE"] == backend.settings.DEFAULT_DATABASE  # `make rename` sets it
    assert settings["BCRYPT_ROUNDS"] == 12
    assert settings["MAX_CONTENT_LENGTH"] == 64 * 1024
    assert settings["TESTING"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_production_session_cookies_are_secure_host_cookies():
    settings = load_settings({"APP_ENV": "production", "SECRET_KEY": "s" * 32})

    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_NAME"] == "__Host-session"
    assert settings["TESTING"] is False


def test_development_keeps_the_plain_cookie_name_for_http():
    assert load_settings({"APP_ENV": "test", "SECRET_KEY": "x"})["SESSION_COOKIE_NAME"] == "session"


def test_production_refuses_a_secret_key_shorter_than_32_characters():
    with pytest.raises(ConfigError, match="SECRET_KEY is too short: production needs at least 32"):
        load_settings({"APP_ENV": "production", "SECRET_KEY": "s" * 31})
    assert load_settings({"APP_ENV": "production", "SECRET_KEY": "s" * 32})["SECRET_KEY"]


def test_trusted_hosts_come_from_the_environment():
    settings = load_settings(
        {"APP_ENV": "test", "SECRET_KEY": "x", "TRUSTED_HOSTS": "app.example.com, .example.org"}
    )

    assert settings["TRUSTED_HOSTS"] == ["app.example.com", ".example.org"]
    assert load_settings({"APP_ENV": "test", "SECRET_KEY": "x"})["TRUSTED_HOSTS"] is None


def test_a_forged_host_is_refused(make_app):
    client = make_app({"TRUSTED_HOSTS": "app.example.com,localhost"}).test_client()
    assert client.get("/login", headers={"Host": "app.example.com"}).status_code == 200
    assert client.get("/login").status_code == 200  # localhost
    forged = client.get("/login", headers={"Host": "evil.example.net"})
    assert forged.status_code == 400
    assert "evil.example.net" not in forged.text
    api = client.get("/api/widgets", headers={"Host": "evil.example.net"})
    assert (api.status_code, api.get_json()) == (400, {"error": "Untrusted host."})


def test_bcrypt_rounds_come_from_the_environment_as_a_number():
    assert (
        load_settings({"APP_ENV": "test", "SECRET_KEY": "x", "BCRYPT_ROUNDS": "5"})["BCRYPT_ROUNDS"]
        == 5
    )
