"""The index page and its assets, the build-missing page, and /healthz."""

import json
import re
import shutil
from pathlib import Path

import pytest

from devtools.embedded_mongo import EmbeddedMongo, free_port
from tests.conftest import PASSWORD, csrf_token_from
from tests.sample_app import RESOURCES

FRONTEND_INDEX = Path(__file__).resolve().parent.parent / "frontend/app/assets/index.html"
INDEX = """<!doctype html>
<html><head>
<meta name="csrf-token" content="{{ csrf_token() }}">
<link rel="stylesheet" href="{{ asset_url('app_css') }}">
</head><body>
<script id="bootstrap" type="application/json">{{ bootstrap | tojson }}</script>
<script src="{{ asset_url('vendor_js') }}"></script>
<script src="{{ asset_url('app_js') }}"></script>
</body></html>
"""
STATIC = {"app.js": "console.log('app');\n", "vendor.js": "/* vendor */\n", "app.css": "body{}\n"}


@pytest.fixture
def public_dir(tmp_path):
    public = tmp_path / "public"
    (public / "static").mkdir(parents=True)
    (public / "index.html").write_text(INDEX)
    for name, content in STATIC.items():
        (public / "static" / name).write_text(content)
    return public


@pytest.fixture
def settings(settings, public_dir):
    return {**settings, "PUBLIC_DIR": str(public_dir)}


def bootstrap_of(page):
    match = re.search(r'<script id="bootstrap" type="application/json">(.*?)</script>', page, re.S)
    assert match, page
    return json.loads(match.group(1))


def url_of_asset(page, name):
    match = re.search(rf'"(/static/{re.escape(name)}\?([0-9a-f]+))"', page)
    assert match, page
    return match.group(1), match.group(2)


# Index --------------------------------------------------------------------


CLIENT_ROUTES = [
    f"/{resource.name}{page}"
    for resource in RESOURCES
    for page in ("", "/new", "/6b041a4155fd2469f14e3088", "/6b041a4155fd2469f14e3088/edit")
]


@pytest.mark.parametrize("path", ["/", *CLIENT_ROUTES])
def test_index_is_served_on_every_client_route(alice, db, path):
    response = alice.client.get(path)

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', page)
    user = db.users.find_one({"email": "alice@example.com"})
    bootstrap = bootstrap_of(page)
    assert bootstrap["_id"] == str(user["_id"])
    assert bootstrap["email"] == "alice@example.com"


def test_the_bootstrap_describes_each_resource_for_the_front_end(alice):
    described = bootstrap_of(alice.client.get("/").get_data(as_text=True))["resources"]

    assert [resource["name"] for resource in described] == [r.name for r in RESOURCES]
    widgets = described[0]
    assert widgets["url"] == "/api/widgets"
    assert widgets["title_field"] == "name"
    assert [field["name"] for field in widgets["fields"]] == ["name", "description"]
    assert (
        widgets["fields"][0] | {"required": True, "max_length": 100, "widget": "line"}
        == (widgets["fields"][0])
    )
    assert widgets["sorts"][0] == {"value": "-created_at", "label": "Newest first"}
    assert widgets["search"]["label"] == "Search by name"


def test_index_is_never_cached(alice):
    assert alice.client.get("/").headers["Cache-Control"] == "no-store"


def test_the_csrf_token_of_the_index_works_for_the_api(alice):
    token = csrf_token_from(alice.client.get("/widgets").get_data(as_text=True))

    response = alice.client.post("/api/widgets", json={"name": "x"}, headers={"X-CSRFToken": token})

    assert response.status_code == 201


def test_bootstrap_json_stays_valid_and_inert_whatever_the_email(app):
    email = "</script><script>alert(1)</script>'&\"@example.com"
    with app.app_context():
        created = app.test_cli_runner().invoke(args=["create-user", email, "--password", PASSWORD])
    assert created.exit_code == 0, created.output
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    login = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert login.status_code == 302

    page = client.get("/").get_data(as_text=True)

    assert "<script>alert(1)" not in page
    assert bootstrap_of(page)["email"] == email


def test_the_real_frontend_index_renders_with_token_and_user(alice, public_dir):
    if not FRONTEND_INDEX.exists():
        pytest.skip("frontend/app/assets/index.html is not there")
    shutil.copy(FRONTEND_INDEX, public_dir / "index.html")

    page = alice.client.get("/").get_data(as_text=True)

    assert re.search(r'<meta name="csrf-token" content="[^"]+">', page)
    assert bootstrap_of(page)["email"] == "alice@example.com"
    assert re.search(r'/static/app\.js\?[0-9a-f]+"', page)


def test_missing_build_says_how_to_build_instead_of_failing(alice, public_dir):
    (public_dir / "index.html").unlink()

    response = alice.client.get("/widgets")

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "make build" in page
    assert str(public_dir) in page


def test_missing_build_page_still_needs_a_login(client, public_dir):
    (public_dir / "index.html").unlink()

    assert client.get("/").status_code == 302


# Assets -------------------------------------------------------------------


def test_asset_urls_carry_a_hash_of_the_content(alice):
    page = alice.client.get("/").get_data(as_text=True)

    for name in STATIC:
        url, version = url_of_asset(page, name)
        assert len(version) >= 8
        assert url.startswith(f"/static/{name}?")


def test_asset_url_changes_when_the_content_changes(alice, public_dir):
    before, _ = url_of_asset(alice.client.get("/").get_data(as_text=True), "app.js")
    same, _ = url_of_asset(alice.client.get("/").get_data(as_text=True), "app.js")

    (public_dir / "static" / "app.js").write_text("console.log('changed');\n")
    after, _ = url_of_asset(alice.client.get("/").get_data(as_text=True), "app.js")

    assert before == same
    assert after != before


def test_versioned_static_files_are_cached_forever(alice):
    url, _ = url_of_asset(alice.client.get("/").get_data(as_text=True), "app.js")

    response = alice.client.get(url)

    assert response.status_code == 200
    assert response.get_data(as_text=True) == STATIC["app.js"]
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_unversioned_static_files_are_not_cached_forever(client):
    response = client.get("/static/app.js")

    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_missing_static_file_answers_404(client):
    assert client.get("/static/nothing.js?abc").status_code == 404


def test_pages_link_no_asset_before_the_front_end_is_built(client, public_dir):
    shutil.rmtree(public_dir / "static")

    page = client.get("/login").get_data(as_text=True)

    assert "/static/" not in page
    assert "None" not in page


# Health and an unreachable database ----------------------------------------


def test_healthz_answers_ok_when_mongodb_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.fixture
def closed_port(monkeypatch):
    # Fail fast instead of waiting the full server-selection timeout.
    monkeypatch.setattr("backend.database.DATABASE_TIMEOUT_MS", 200)
    return free_port()


@pytest.fixture
def down_app(make_app, closed_port):
    return make_app({"MONGO_URI": f"mongodb://127.0.0.1:{closed_port}/"})


def assert_unavailable(response, json_body=True):
    assert response.status_code == 503, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    if json_body:
        assert response.mimetype == "application/json"
    else:
        assert response.mimetype == "text/html"
        assert "database is unavailable" in response.get_data(as_text=True)


def test_healthz_answers_503_when_mongodb_is_unreachable(down_app):
    response = down_app.test_client().get("/healthz")

    assert_unavailable(response)
    assert response.get_json() == {"status": "unavailable"}


def test_the_api_answers_503_json_while_mongodb_is_unreachable(alice, down_app):
    client = down_app.test_client()
    client.set_cookie("session", alice.client.get_cookie("session").value)
    headers = {"X-CSRFToken": alice.csrf_token}

    assert_unavailable(client.get("/api/widgets"))
    assert "unavailable" in client.get("/api/widgets").get_json()["error"]
    assert_unavailable(client.post("/api/widgets", json={"name": "x"}, headers=headers))
    assert_unavailable(client.get("/api/widgets/6b041a4155fd2469f14e3088"))


def test_pages_answer_503_while_mongodb_is_unreachable(alice, down_app):
    client = down_app.test_client()
    client.set_cookie("session", alice.client.get_cookie("session").value)

    assert_unavailable(client.get("/"), json_body=False)
    assert_unavailable(client.get("/login"), json_body=False)


def test_logging_in_answers_503_while_mongodb_is_unreachable(down_app):
    client = down_app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))

    data = {"email": "alice@example.com", "password": PASSWORD, "csrf_token": token}
    assert_unavailable(client.post("/login", data=data), json_body=False)


def test_the_app_recovers_by_itself_once_mongodb_is_back(down_app, closed_port, tmp_path):
    client = down_app.test_client()
    assert_unavailable(client.get("/healthz"))

    server = EmbeddedMongo.start(tmp_path / "late-mongo", port=closed_port)
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        down_app.extensions["mongo"].close()  # before the server stops, not after
        server.stop()


# Unexpected errors --------------------------------------------------------------


def test_an_unexpected_error_is_a_json_500_under_the_api_and_a_page_elsewhere(app):
    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/api/broken", "api_broken", broken)
    app.add_url_rule("/broken", "broken", broken)
    client = app.test_client()

    api = client.get("/api/broken")
    page = client.get("/broken")

    assert api.status_code == page.status_code == 500
    assert api.get_json() == {"error": "Something went wrong on our side."}
    assert "a bug" not in page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    assert "Something went wrong" in page.get_data(as_text=True)


def test_error_pages_outside_the_api_are_html(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response.mimetype == "text/html"
