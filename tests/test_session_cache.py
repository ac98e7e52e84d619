"""The per-process session cache (backend/auth/session_cache.py): no database round
trip for the logged-in user, and a revoked session refused at once in the process
that revoked it, within a second in every other, and always where no change
stream runs."""

import time
import uuid

import pytest
import requests
from pymongo import MongoClient, monitoring

from backend.auth.models import _digest
from backend.auth.session_cache import Entry, SessionCache
from backend.database import Connection
from backend.process import PerProcess
from backend.serialization import utc_now
from tests.conftest import (
    PASSWORD,
    Browserless,
    create_verified_user,
    csrf_token_from,
    wait_until_uncached,
)
from tests.servers import Gunicorn, wait_for
from tests.test_account import (
    NEW_PASSWORD,
    change_password,
    copy_of,
    delete_account,
    end_other_sessions,
    end_session,
    logged_in,
)
from tests.test_live import Person, standalone_uri, start_secantus  # noqa: F401 (a fixture)

# The bound: refused within a second in another process, counted from the answer.
ELSEWHERE_SECONDS = 1.0


def session_cache(app):
    """The app's cache in this process, once its stream is open."""
    with app.app_context():
        cache = app.extensions["session_cache"].get()
    wait_for(lambda: cache.live, "the session cache's stream opens")
    return cache


def session_id_of(client):
    from tests.test_sessions import session_id_of as read

    return read(client.application, client)


# In the process that revokes: at once ------------------------------------------------


@pytest.fixture
def slow_stream(app):
    """The app's cache with its stream open but nothing delivered yet (its thread is
    not started): what this process sees, it must have evicted itself."""
    cache = SessionCache(app.extensions["mongo"], "sessions")
    cache.live = True
    app.extensions["session_cache"] = PerProcess(lambda: cache)
    return cache


def cached_alice(app, slow_stream):
    alice = Browserless(app.test_client(), "alice@example.com").register()
    phone = Browserless(app.test_client(), alice.email).log_in()
    for someone in (alice, phone):
        assert logged_in(someone.client)
        assert slow_stream.get(_digest(session_id_of(someone.client))) is not None
    return alice, phone


@pytest.mark.parametrize(
    "revoke",
    [
        lambda alice: alice.client.post("/logout", headers={"X-CSRFToken": alice.csrf_token}),
        lambda alice: change_password(alice.client),
        lambda alice: delete_account(alice.client),
    ],
    ids=["logout", "password change", "account deletion"],
)
def test_a_session_revoked_here_is_refused_here_at_once(app, slow_stream, revoke):
    alice, _phone = cached_alice(app, slow_stream)
    thief = copy_of(app, alice)

    assert revoke(alice).status_code == 302

    assert not logged_in(thief)


@pytest.mark.parametrize("revoke", [change_password, end_other_sessions, delete_account])
def test_the_other_sessions_revoked_here_are_refused_here_at_once(app, slow_stream, revoke):
    alice, phone = cached_alice(app, slow_stream)

    assert revoke(alice.client).status_code == 302

    assert not logged_in(phone.client)


def test_a_session_ended_from_the_account_page_here_is_refused_here_at_once(app, slow_stream):
    alice, phone = cached_alice(app, slow_stream)
    action = f"/account/sessions/{_digest(session_id_of(phone.client))}/end"

    assert end_session(alice.client, action).status_code == 302

    assert not logged_in(phone.client)


def test_an_email_change_here_shows_at_once_in_every_session(app, slow_stream):
    alice, phone = cached_alice(app, slow_stream)
    with app.app_context():
        from backend.auth import models

        user = models.find_user_by_email(alice.email)
        models.change_email(user["_id"], "alice.new@example.com")

    assert "alice.new@example.com" in phone.get("/account").get_data(as_text=True)


def test_the_idle_timeout_is_judged_from_the_cached_timestamps(app, slow_stream, db):
    alice, _phone = cached_alice(app, slow_stream)
    app.config["SESSION_IDLE_TIMEOUT"] = 0  # every session idle for too long now

    assert not logged_in(alice.client)
    assert db.sessions.count_documents({}) == 1  # ended (the phone's is left)


# The race: read from the database, evicted meanwhile, then cached ----------------------


def test_an_entry_read_before_its_delete_is_not_cached_after_the_delete_s_event(app, db):
    cache = session_cache(app)
    now = utc_now()
    db.sessions.insert_one({"_id": "digest", "user_id": 1, "email": "e", "created_at": now})
    entry = Entry(1, "e", now, now)

    ticket = cache.ticket()  # a lookup starts
    assert db.sessions.find_one({"_id": "digest"}) is not None  # and reads the session
    db.sessions.delete_one({"_id": "digest"})  # deleted meanwhile, by another process
    wait_for(lambda: cache.invalidations != ticket, "the watcher dispatches the delete")

    assert not cache.put("digest", entry, ticket)
    assert cache.get("digest") is None
    # A lookup that began after the event caches what it read.
    assert cache.put("digest", entry, cache.ticket())
    assert cache.get("digest") == entry


def test_a_cached_entry_leaves_on_its_delete_update_or_replace(app, db):
    cache = session_cache(app)
    now = utc_now()
    for key in ("deleted", "updated", "replaced"):
        db.sessions.insert_one({"_id": key, "user_id": 1, "created_at": now})
        assert cache.put(key, Entry(1, "e", now, now), cache.ticket())

    db.sessions.delete_one({"_id": "deleted"})
    db.sessions.update_one({"_id": "updated"}, {"$set": {"email": "new"}})
    db.sessions.replace_one({"_id": "replaced"}, {"user_id": 2, "created_at": now})

    wait_until_uncached(app, ["deleted", "updated", "replaced"])


def test_a_dropped_collection_empties_the_cache_and_it_fills_again(app, db):
    cache = session_cache(app)
    now = utc_now()
    db.sessions.insert_one({"_id": "kept", "user_id": 1, "created_at": now})
    assert cache.put("kept", Entry(1, "e", now, now), cache.ticket())

    db.sessions.drop()

    wait_until_uncached(app, ["kept"])
    wait_for(lambda: cache.live, "the stream opens again")
    assert cache.put("kept", Entry(1, "e", now, now), cache.ticket())


# While the stream is down, and where there is none ------------------------------------


def test_while_its_stream_is_down_the_cache_is_empty_and_bypassed_then_used_again(
    settings, tmp_path
):
    server = start_secantus(tmp_path / "db")
    connection = Connection(server.uri, settings["MONGO_DATABASE"], {}, tmp_path)
    connection.db.command("ping")  # the app's requests connect, not the watcher
    cache = SessionCache(connection, "sessions").start()
    now, entry = utc_now(), Entry(1, "e", utc_now(), utc_now())
    try:
        wait_for(lambda: cache.live, "the stream opens")
        assert cache.put("digest", entry, cache.ticket())
        ticket = cache.ticket()  # a lookup that starts before the failure

        server.stop()
        wait_for(lambda: not cache.live, "the watcher sees the failure", timeout=30)
        assert cache.get("digest") is None
        assert cache.ticket() is None
        assert not cache.put("digest", entry, ticket)

        server = start_secantus(tmp_path / "db", port=server.port)
        wait_for(lambda: cache.live, "the stream opens again", timeout=30)
        assert not cache.put("digest", entry, ticket)  # read before the failure
        assert cache.put("digest", Entry(1, "e", now, now), cache.ticket())
    finally:
        cache.stop()
        connection.close()
        server.stop()


def test_without_change_streams_every_request_reads_its_session_and_revoking_works(
    make_app,
    settings,
    standalone_uri,  # noqa: F811 (the fixture)
):
    app = make_app({"MONGO_URI": standalone_uri})
    try:
        alice = Browserless(app.test_client(), "standalone@example.com").register()
        thief = copy_of(app, alice)
        assert logged_in(alice.client)
        with app.app_context():
            cache = app.extensions["session_cache"].get()
        assert not cache.live
        assert cache.entries == {}

        alice.client.post("/logout", headers={"X-CSRFToken": alice.csrf_token})

        assert not logged_in(thief)
    finally:
        with MongoClient(standalone_uri) as client:
            client.drop_database(settings["MONGO_DATABASE"])


# Nothing reaches the database but the operation itself ---------------------------------


class Commands(monitoring.CommandListener):
    """The commands sent to one database, while recording, but the session cache's own
    (its change stream on ``sessions``). Registered once for every client made after
    this module is imported; it records nothing unless a test sets ``database``."""

    WATCHER_COMMANDS = {"aggregate", "getMore", "killCursors"}

    def __init__(self):
        self.database = None
        self.seen = []

    def started(self, event):
        if event.database_name != self.database:
            return
        command = event.command
        collection = command.get(event.command_name)
        if event.command_name in self.WATCHER_COMMANDS and "sessions" in (
            collection,
            command.get("collection"),
        ):
            return
        self.seen.append(event.command_name)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    def during(self, action):
        self.seen = []
        action()
        return self.seen


COMMANDS = Commands()
monitoring.register(COMMANDS)


def test_an_item_get_post_put_or_delete_sends_only_its_own_command(app, settings, alice):
    session_cache(app)
    created = alice.post("/api/widgets", json={"name": "Counted"}).get_json()
    url = f"/api/widgets/{created['_id']}"
    assert alice.get(url).status_code == 200  # the session is cached from here on
    COMMANDS.database = settings["MONGO_DATABASE"]
    try:
        posted = COMMANDS.during(lambda: alice.post("/api/widgets", json={"name": "Another"}))
        got = COMMANDS.during(lambda: alice.get(url))
        put = COMMANDS.during(lambda: alice.put(url, json={**created, "name": "Renamed"}))
        deleted = COMMANDS.during(lambda: alice.delete(url))
    finally:
        COMMANDS.database = None

    assert posted == ["insert"]
    assert got == ["find"]
    assert put == ["findAndModify"]
    assert deleted == ["delete"]


# Two servers on one database ----------------------------------------------------------


@pytest.fixture
def two_servers(app, settings, mongo_uri, tmp_path):
    """Start two gunicorn servers of the tests' app on the test's database."""
    started = []

    def start(**more):
        for name in ("a", "b"):
            log = tmp_path / f"gunicorn-{name}.log"
            server = Gunicorn(
                mongo_uri, settings["MONGO_DATABASE"], tmp_path / name, log=log, **more
            )
            started.append(server)
            server.start()
        return started

    yield start
    for server in started:
        if server.process.poll() is None:
            server.stop()


def following(server):
    """Whether ``server``'s session cache has opened its stream (it says so once)."""
    return "Session cache: following" in server.log.read_text()


def logged_in_at(server, cookie):
    response = requests.get(f"{server.url}/api/widgets", cookies={"session": cookie}, timeout=5)
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


def cached_on_both(a, b, cookie):
    """The cookie works on both servers, each of which has its session cached."""
    assert logged_in_at(a, cookie) and logged_in_at(b, cookie)  # each one's first lookup
    wait_for(lambda: following(a) and following(b), "both servers' caches follow the stream")
    for server in (a, b):
        assert logged_in_at(server, cookie)  # read once more, and cached
        assert logged_in_at(server, cookie)  # from the cache


def refused_within(server, cookie, seconds):
    deadline = time.monotonic() + seconds
    while logged_in_at(server, cookie):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def sign_out(device):
    token = csrf_token_from(device.http.get(f"{device.url}/login", timeout=5).text)
    return device.http.post(
        f"{device.url}/logout", headers={"X-CSRFToken": token}, allow_redirects=False, timeout=5
    )


def new_password(laptop):
    fields = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    return laptop.post_form("/account", "/account/password", "password", **fields)


def end_others(laptop):
    return laptop.post_form("/account", "/account/sessions", "sessions")


@pytest.mark.parametrize(
    ("revoke", "revoker"),
    [(sign_out, "phone"), (new_password, "laptop"), (end_others, "laptop")],
    ids=["logout", "password change", "log out others"],
)
def test_a_session_revoked_through_one_server_is_refused_by_the_other_within_a_second(
    app, two_servers, revoke, revoker
):
    a, b = two_servers()
    email = f"{uuid.uuid4().hex[:8]}@example.com"
    create_verified_user(app, email)
    devices = {"laptop": Person(a.url, email).log_in(), "phone": Person(a.url, email).log_in()}
    phone = devices["phone"].http.cookies["session"]
    cached_on_both(a, b, phone)

    response = revoke(devices[revoker])

    assert response.status_code == 302, response.text
    assert not logged_in_at(a, phone)  # at once, where it was revoked
    assert refused_within(b, phone, ELSEWHERE_SECONDS)


def test_an_idle_session_is_refused_by_both_servers(app, two_servers):
    idle = 5  # from the login on: its last use is written every SESSION_TOUCH_INTERVAL only
    a, b = two_servers(SESSION_IDLE_TIMEOUT=str(idle))
    create_verified_user(app, "idle@example.com")
    cookie = Person(a.url, "idle@example.com").log_in().http.cookies["session"]
    logged_in_by = time.monotonic()
    cached_on_both(a, b, cookie)

    time.sleep(max(0, logged_in_by + idle + 0.1 - time.monotonic()))

    assert not logged_in_at(b, cookie)  # judged from its cached timestamps
    assert not logged_in_at(a, cookie)
