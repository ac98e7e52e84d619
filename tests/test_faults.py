"""The database dies mid-run and comes back: the app says 503 meanwhile, then
recovers by itself, and no write it acknowledged is lost."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from backend.settings import DATABASE_TIMEOUT_MS
from devtools.embedded_mongo import EmbeddedMongo, free_port
from tests.conftest import PASSWORD, Browserless, csrf_token_from
from tests.servers import serving


class RestartableMongo:
    """An embedded server that can be killed and started again on the same port and data."""

    def __init__(self, path):
        self.path = path
        self.port = free_port()
        self.server = EmbeddedMongo.start(path, self.port)
        self.uri = self.server.uri

    def kill(self):
        # SIGKILL, as in a crash: nothing gets the chance to flush.
        self.server.process.kill()
        self.server.process.wait()

    def start(self):
        self.server = EmbeddedMongo.start(self.path, self.port)

    def stop(self):
        self.server.stop()


@pytest.fixture
def mongo(tmp_path):
    server = RestartableMongo(tmp_path / "db")
    yield server
    server.stop()


@pytest.fixture
def fault_app(mongo, make_app):
    return make_app({"MONGO_URI": mongo.uri})


def send_all(calls):
    """Send every (session, method, url, options) at once: each waits out pymongo's timeout."""

    def send(call):
        session, method, url, options = call
        return session.request(method, url, allow_redirects=False, timeout=30, **options)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(send, calls))


def test_the_app_answers_503_while_the_database_is_down_and_recovers(mongo, fault_app, make_app):
    alice = Browserless(fault_app.test_client(), "alice@example.com").register()
    acknowledged = {}
    for number in range(20):
        response = alice.post("/api/widgets", json={"name": f"Widget {number}"})
        assert response.status_code == 201
        acknowledged[response.get_json()["_id"]] = response.get_json()
    widget_id, widget = next(iter(acknowledged.items()))
    changed = alice.put(f"/api/widgets/{widget_id}", json={**widget, "name": "Changed"})
    assert changed.status_code == 200
    acknowledged[widget_id] = changed.get_json()
    item = f"/api/widgets/{widget_id}"

    # A second app (another worker, say) whose first use of the database, which
    # ensures the indexes, comes during the outage.
    late_app = make_app({"MONGO_URI": mongo.uri})
    with serving(fault_app) as url, serving(late_app) as late_url:
        user = requests.Session()
        user.cookies.set("session", alice.client.get_cookie("session").value)
        user.headers["X-CSRFToken"] = alice.csrf_token
        visitor = requests.Session()
        login_token = csrf_token_from(visitor.get(f"{url}/login").text)

        mongo.kill()
        api = [
            (user, "GET", f"{url}/api/widgets", {}),
            (user, "GET", url + item, {}),
            (user, "POST", f"{url}/api/widgets", {"json": {"name": "Lost?"}}),
            (user, "PUT", url + item, {"json": {"name": "Lost?", "version": 2}}),
            (user, "PATCH", url + item, {"json": {"name": "Lost?"}}),
            (user, "DELETE", url + item, {}),
            (user, "GET", f"{late_url}/api/widgets", {}),
        ]
        login = {"email": alice.email, "password": PASSWORD, "csrf_token": login_token}
        pages = [
            # A page that reads the database (the index may need none: the user's
            # session can come from the process's session cache).
            (user, "GET", f"{url}/account", {}),
            (visitor, "POST", f"{url}/login", {"data": login}),
        ]
        healthz = (visitor, "GET", f"{url}/healthz", {})
        responses = send_all([*api, *pages, healthz])

        for response in responses[: len(api)]:
            assert response.status_code == 503, response.request.method
            assert response.headers["Content-Type"] == "application/json"
            assert "database is unavailable" in response.json()["error"]
            assert int(response.headers["Retry-After"]) > 0
        for response in responses[len(api) : -1]:
            assert response.status_code == 503
            assert response.headers["Content-Type"].startswith("text/html")
            assert "The database is unavailable. Try again in a few seconds." in response.text
        assert responses[-1].status_code == 503
        assert responses[-1].json() == {"status": "unavailable"}
        assert "Retry-After" in responses[-1].headers
        # Each waits out the driver's server selection, and no longer.
        assert max(r.elapsed.total_seconds() for r in responses) < DATABASE_TIMEOUT_MS / 1000 + 2

        mongo.start()

        assert visitor.get(f"{url}/healthz").status_code == 200
        listed = user.get(f"{url}/api/widgets?per_page=100")
        assert user.get(f"{late_url}/api/widgets").status_code == 200  # indexes ensured now
        assert visitor.post(f"{url}/login", data=login, allow_redirects=False).status_code == 302
    assert listed.status_code == 200
    assert {w["_id"]: w for w in listed.json()["items"]} == acknowledged
    assert alice.post("/api/widgets", json={"name": "After"}).status_code == 201
