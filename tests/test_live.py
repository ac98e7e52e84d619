"""GET /api/events: live changes as Server-Sent Events, over real HTTP.

Every test serves the app with a real threaded server (tests/servers.py) and
reads the stream as a browser's EventSource would, against the embedded
database's real change streams; writes come through the API from another
session, or straight from pymongo, as a script's would.
"""

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from bson import ObjectId
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from backend.api import BackboneResource, Line
from backend.live.feed import decode_token, encode_token
from backend.resources import registered
from devtools.embedded_mongo import URI_OPTIONS, free_port
from tests import outbox
from tests.conftest import PASSWORD, csrf_token_from
from tests.outbox import verify_by_email
from tests.sample_resources import Tasks
from tests.servers import GUNICORN_CONFIG, serving, wait_until_healthy

# A change reaches the stream within a second (the contract); tests allow a little more.
DELIVERY_SECONDS = 1.5
KEEPALIVE_SECONDS = 0.5
END = object()


# An EventSource, as far as the tests need one -----------------------------------


class EventSource:
    """Reads ``/api/events`` in a thread and parses it as the SSE spec says.

    ``last_event_id`` follows every ``id:`` line, as a browser's does, including
    those of messages without data, which set it and dispatch nothing.
    """

    def __init__(self, http, url, last_event_id=None):
        headers = {"Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.response = http.get(f"{url}/api/events", headers=headers, stream=True, timeout=10)
        self.last_event_id = last_event_id
        self.comments = []
        self.messages = queue.Queue()
        if self.response.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event, data = "message", []
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line == "":
                    if data:
                        self.messages.put((event, "\n".join(data), self.last_event_id))
                    event, data = "message", []
                elif line.startswith(":"):
                    self.comments.append(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if name == "id":
                        self.last_event_id = value
                    elif name == "event":
                        event = value
                    elif name == "data":
                        data.append(value)
        except (requests.RequestException, AttributeError, ValueError):
            pass  # closed by the test
        finally:
            self.messages.put(END)

    def next(self, timeout=DELIVERY_SECONDS):
        """The next event as (type, data, id); fails if none comes in time."""
        try:
            message = self.messages.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no event within {timeout} s")
        assert message is not END, "the stream ended"
        return message

    def next_change(self, timeout=DELIVERY_SECONDS):
        event, data, _event_id = self.next(timeout)
        assert event == "change", (event, data)
        return json.loads(data)

    def assert_quiet(self, seconds=0.5):
        """Nothing arrives for ``seconds``."""
        try:
            message = self.messages.get(timeout=seconds)
        except queue.Empty:
            return
        pytest.fail(f"unexpected {message!r}")

    def wait_for_end(self, timeout=3):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.messages.get(timeout=0.1) is END:
                    return
            except queue.Empty:
                continue
        pytest.fail(f"the stream was still open after {timeout} s")

    def close(self):
        self.response.close()


class Person:
    """A browser: a requests session logged in through the forms, and its API calls."""

    def __init__(self, url, email):
        self.url = url
        self.email = email
        self.http = requests.Session()
        self.streams = []

    def register(self):
        page = self.http.get(f"{self.url}/register", timeout=5).text
        form = {
            "email": self.email,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": csrf_token_from(page),
        }
        response = self.http.post(f"{self.url}/register", data=form, allow_redirects=False)
        assert response.status_code == 200, response.text  # "check your email"
        verify_by_email(self.http, self.url, self.email)
        return self

    def log_in(self):
        page = self.http.get(f"{self.url}/login", timeout=5).text
        form = {"email": self.email, "password": PASSWORD, "csrf_token": csrf_token_from(page)}
        response = self.http.post(f"{self.url}/login", data=form, allow_redirects=False)
        assert response.status_code == 302, response.text
        return self

    def api(self, method, path, **kwargs):
        token = csrf_token_from(self.http.get(f"{self.url}/login", timeout=5).text)
        response = self.http.request(
            method, f"{self.url}{path}", headers={"X-CSRFToken": token}, timeout=5, **kwargs
        )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def create(self, name, **fields):
        return self.api("POST", "/api/widgets", json={"name": name, **fields})

    def events(self, last_event_id=None):
        stream = EventSource(self.http, self.url, last_event_id)
        self.streams.append(stream)
        return stream

    def post_form(self, path, action, prefix="", **fields):
        page = self.http.get(f"{self.url}{path}", timeout=5).text
        name = f"{prefix}-csrf_token" if prefix else "csrf_token"
        token = re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)
        data = {f"{prefix}-{k}" if prefix else k: v for k, v in fields.items()}
        return self.http.post(
            f"{self.url}{action}", data={**data, name: token}, allow_redirects=False, timeout=5
        )

    def close(self):
        for stream in self.streams:
            stream.close()


@pytest.fixture
def settings(settings):
    return {**settings, "LIVE_KEEPALIVE_SECONDS": str(KEEPALIVE_SECONDS)}


@pytest.fixture
def live_app(make_app):
    return make_app()


@pytest.fixture
def url(live_app):
    with serving(live_app) as base:
        yield base


@pytest.fixture
def people(url):
    made = []

    def person(email):
        made.append(Person(url, email).register())
        return made[-1]

    yield person
    for someone in made:
        someone.close()


@pytest.fixture
def alice(people):
    return people("alice@example.com")


@pytest.fixture
def bob(people):
    return people("bob@example.com")


@pytest.fixture
def alice_phone(url, alice):
    """Alice on another device: a login session of her own."""
    phone = Person(url, alice.email).log_in()
    yield phone
    phone.close()


@pytest.fixture
def db(live_app):
    return live_app.extensions["mongo"].db


def user_id(db, person):
    return db.users.find_one({"email": person.email})["_id"]


# The stream itself -----------------------------------------------------------------


def test_logged_out_gets_401_json(url):
    response = requests.get(f"{url}/api/events", timeout=5)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/json"
    assert "error" in response.json()


def test_stream_is_uncached_unbuffered_event_stream(alice):
    stream = alice.events()
    headers = stream.response.headers
    assert stream.response.status_code == 200
    assert headers["Content-Type"].startswith("text/event-stream")
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Accel-Buffering"] == "no"


def test_keepalive_comment_comes_within_the_interval_and_carries_the_position(alice):
    stream = alice.events()
    time.sleep(KEEPALIVE_SECONDS * 2.5)
    assert "keep-alive" in stream.comments
    # The id it carries is where a reconnect resumes, though no change came yet.
    assert stream.last_event_id


def test_a_head_request_leaves_no_subscriber_behind(alice, live_app):
    response = alice.http.head(f"{alice.url}/api/events", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    feed = live_app.extensions["live"].feed
    deadline = time.monotonic() + 2  # the server closes the response after sending it
    while feed.subscribers and time.monotonic() < deadline:
        time.sleep(0.05)
    assert feed.subscribers == set()


# Changes by anyone -----------------------------------------------------------------


def test_create_update_delete_from_another_session_arrive_as_get_returns_them(alice, alice_phone):
    stream = alice.events()
    started = time.monotonic()
    widget = alice_phone.create("Sprocket", description="from the phone")
    created = stream.next_change()
    assert time.monotonic() - started < DELIVERY_SECONDS
    assert created == {
        "resource": "widgets",
        "op": "create",
        "_id": widget["_id"],
        "document": alice.api("GET", f"/api/widgets/{widget['_id']}"),
    }

    alice_phone.api("PATCH", f"/api/widgets/{widget['_id']}", json={"name": "Cog"})
    updated = stream.next_change()
    assert updated["op"] == "update"
    assert updated["document"] == alice.api("GET", f"/api/widgets/{widget['_id']}")
    assert updated["document"]["name"] == "Cog" and updated["document"]["version"] == 2

    alice_phone.api("DELETE", f"/api/widgets/{widget['_id']}")
    assert stream.next_change() == {
        "resource": "widgets",
        "op": "delete",
        "_id": widget["_id"],
        "document": None,
    }


def test_direct_pymongo_writes_arrive_too(alice, db):
    stream = alice.events()
    owner = user_id(db, alice)
    inserted = db.widgets.insert_one(
        {"owner_id": owner, "name": "From a script", "description": "", "version": 1}
    ).inserted_id
    created = stream.next_change()
    assert created["op"] == "create" and created["_id"] == str(inserted)
    assert created["document"]["name"] == "From a script"
    assert "owner_id" not in created["document"]  # only the public fields, as GET sends

    db.widgets.update_one({"_id": inserted}, {"$set": {"name": "Renamed"}, "$inc": {"version": 1}})
    updated = stream.next_change()
    assert updated["op"] == "update"
    assert updated["document"] == alice.api("GET", f"/api/widgets/{inserted}")

    db.widgets.delete_one({"_id": inserted})
    deleted = stream.next_change()
    assert (deleted["op"], deleted["_id"], deleted["document"]) == ("delete", str(inserted), None)


def test_other_users_changes_never_appear(alice, bob, db):
    alice_stream, bob_stream = alice.events(), bob.events()
    widget = alice.create("Alice's")
    alice.api("PUT", f"/api/widgets/{widget['_id']}", json={"name": "Still Alice's"})
    alice.api("DELETE", f"/api/widgets/{widget['_id']}")
    # A script writing another user's document: Bob sees none of it either.
    scripted = db.widgets.insert_one({"owner_id": user_id(db, alice), "name": "x"}).inserted_id
    db.widgets.delete_one({"_id": scripted})
    bobs = bob.create("Bob's")

    ops = [alice_stream.next_change()["op"] for _ in range(5)]
    assert ops == ["create", "update", "delete", "create", "delete"]
    # Bob's first event is his own widget: nothing of Alice's came before it.
    assert bob_stream.next_change()["_id"] == bobs["_id"]
    bob_stream.assert_quiet()
    alice_stream.assert_quiet()


def test_one_change_stream_per_process_whatever_the_number_of_clients(alice, bob, live_app):
    streams = [alice.events(), alice.events(), bob.events()]
    widget = alice.create("Seen twice")
    assert streams[0].next_change()["_id"] == widget["_id"]
    assert streams[1].next_change()["_id"] == widget["_id"]
    feed = live_app.extensions["live"].feed
    assert len(feed.subscribers) == 3
    name = f"live-changes {live_app.config['MONGO_DATABASE']}"  # this app's, not a past test's
    watchers = [t for t in threading.enumerate() if t.name == name]
    assert watchers == [feed.thread]


# Resuming ---------------------------------------------------------------------------


def test_last_event_id_resumes_with_every_missed_change_in_order_then_live(alice, alice_phone):
    stream = alice.events()
    first = alice_phone.create("First")
    assert stream.next_change()["_id"] == first["_id"]
    last_seen = stream.last_event_id
    stream.close()

    missed = [alice_phone.create(f"Missed {i}") for i in range(3)]
    alice_phone.api("DELETE", f"/api/widgets/{first['_id']}")

    resumed = alice.events(last_event_id=last_seen)
    caught_up = [resumed.next_change() for _ in range(4)]
    assert [(c["op"], c["_id"]) for c in caught_up] == [
        *(("create", m["_id"]) for m in missed),
        ("delete", first["_id"]),
    ]
    after = alice_phone.create("Live again")
    assert resumed.next_change()["_id"] == after["_id"]
    resumed.assert_quiet()  # and nothing twice


def test_a_reconnect_before_any_change_still_gets_what_happened_meanwhile(alice, alice_phone):
    stream = alice.events()
    deadline = time.monotonic() + 2
    while not stream.last_event_id and time.monotonic() < deadline:
        time.sleep(0.05)
    position = stream.last_event_id
    assert position, "the stream sets an id at once"
    stream.close()

    widget = alice_phone.create("While away")
    resumed = alice.events(last_event_id=position)
    assert resumed.next_change()["_id"] == widget["_id"]


@pytest.mark.parametrize("last_event_id", ["not-a-token", "AAAA", "bm90IGJzb24"])
def test_an_unreadable_last_event_id_gets_reset_first(alice, alice_phone, last_event_id):
    stream = alice.events(last_event_id=last_event_id)
    event, _data, reset_id = stream.next()
    assert event == "reset"
    assert reset_id and reset_id != last_event_id  # later reconnects resume from here
    widget = alice_phone.create("After the reset")
    assert stream.next_change()["_id"] == widget["_id"]


# The session ends, the stream ends ------------------------------------------------------


def test_the_stream_ends_at_logout(alice):
    stream = alice.events()
    response = alice.post_form("/login", "/logout")
    assert response.status_code == 302
    stream.wait_for_end()
    assert requests.get(f"{alice.url}/api/events", timeout=5).status_code == 401


def test_the_stream_ends_when_another_session_logs_this_one_out(alice, alice_phone):
    stream = alice.events()
    phone_stream = alice_phone.events()
    response = alice_phone.post_form("/account", "/account/sessions", prefix="sessions")
    assert response.status_code == 302
    stream.wait_for_end()
    # The phone itself got a new session id (a privilege change), so its old
    # stream ends too; the one it opens again, with its new cookie, goes on.
    phone_stream.wait_for_end()
    phone_stream = alice_phone.events()
    widget = alice_phone.create("Still here")
    assert phone_stream.next_change()["_id"] == widget["_id"]


def test_the_stream_ends_when_the_password_is_changed_elsewhere(alice, alice_phone):
    stream = alice.events()
    response = alice_phone.post_form(
        "/account",
        "/account/password",
        prefix="password",
        current_password=PASSWORD,
        password="a brand new passphrase",
        confirm="a brand new passphrase",
    )
    assert response.status_code == 302
    stream.wait_for_end()


# When the database cannot report changes --------------------------------------------------


def test_too_many_streams_get_503_and_a_closed_one_frees_its_place(make_app):
    # A keep-alive much longer than the wait below: only noticing the close frees it.
    app = make_app({"LIVE_MAX_STREAMS": "1", "LIVE_KEEPALIVE_SECONDS": "30"})
    with serving(app) as url:
        alice = Person(url, "crowded@example.com").register()
        first = alice.events()
        assert first.response.status_code == 200
        second = alice.events()
        assert second.response.status_code == 503
        assert second.response.json()["error"]
        assert int(second.response.headers["Retry-After"]) > 0
        assert alice.api("GET", "/api/widgets")["total"] == 0
        # A client that goes away gives its place back within a second or so,
        # not at the next keep-alive.
        first.close()
        deadline = time.monotonic() + 3
        while (again := alice.events()).response.status_code == 503:
            assert time.monotonic() < deadline, "the closed stream kept its place"
            time.sleep(0.2)
        assert again.response.status_code == 200
        alice.close()


@pytest.fixture(scope="module")
def standalone_uri(tmp_path_factory):
    """A SecantusDB that says it is a standalone server, as a lone mongod does:
    it refuses change streams (``$changeStream`` is only for replica sets)."""
    server = start_secantus(tmp_path_factory.mktemp("standalone"), "--standalone")
    yield server.uri
    server.stop()


class Secantus:
    def __init__(self, process, uri, port):
        self.process, self.uri, self.port = process, uri, port

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def start_secantus(path, *flags, port=None):
    executable = shutil.which("secantusd-py") or str(Path(sys.executable).with_name("secantusd-py"))
    port = port or free_port()
    command = [
        executable, "--host", "127.0.0.1", "--port", str(port),
        "--storage-path", str(path), "--log-level", "WARNING", *flags,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    uri = f"mongodb://127.0.0.1:{port}/?{URI_OPTIONS}"
    with MongoClient(uri, serverSelectionTimeoutMS=250) as client:
        deadline = time.monotonic() + 20
        while True:
            try:
                client.admin.command("ping")
                break
            except PyMongoError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    pytest.fail("secantusd-py did not start")
                time.sleep(0.1)
    return Secantus(process, uri, port)


def test_a_database_without_change_streams_gets_503_json_and_the_api_works(
    make_app, standalone_uri
):
    app = make_app({"MONGO_URI": standalone_uri})
    with serving(app) as url:
        alice = Person(url, "standalone@example.com").register()
        response = alice.http.get(f"{url}/api/events", timeout=5)
        assert response.status_code == 503
        assert response.headers["Content-Type"] == "application/json"
        assert "replica set" in response.json()["error"]
        assert int(response.headers["Retry-After"]) > 0
        # The front end polls instead: the rest of the API is unaffected.
        widget = alice.create("Polled")
        assert alice.api("GET", f"/api/widgets/{widget['_id']}")["name"] == "Polled"


@pytest.fixture(scope="module")
def short_history_uri(tmp_path_factory):
    """A SecantusDB that keeps only the last 100 changes, so that old tokens expire."""
    server = start_secantus(tmp_path_factory.mktemp("short"), "--oplog-max-entries", "100")
    yield server.uri
    server.stop()


def test_a_token_gone_from_the_history_gets_reset_then_live_changes(make_app, short_history_uri):
    app = make_app({"MONGO_URI": short_history_uri})
    with serving(app) as url:
        alice = Person(url, "forgetful@example.com").register()
        stream = alice.events()
        alice.create("Soon forgotten")
        stream.next_change()
        old = stream.last_event_id
        stream.close()
        db = app.extensions["mongo"].db
        expired = False
        for _ in range(20):  # the server prunes its history as it goes
            db.noise.insert_many([{"n": n} for n in range(200)])
            try:
                with db.watch(resume_after=decode_token(old), max_await_time_ms=50) as probe:
                    probe.try_next()
            except PyMongoError:
                expired = True
                break
            time.sleep(0.2)
        assert expired, "the embedded server kept the whole history"

        resumed = alice.events(last_event_id=old)
        event, _data, _id = resumed.next()
        assert event == "reset"
        widget = alice.create("After the reset")
        assert resumed.next_change()["_id"] == widget["_id"]
        alice.close()


def test_event_ids_round_trip_and_refuse_strangers():
    token = {"_data": "82" + "ab" * 20}
    assert decode_token(encode_token(token)) == token
    assert re.fullmatch(r"[A-Za-z0-9_-]+", encode_token(token))
    for stranger in ("", "%%%", encode_token({"other": 1}), str(ObjectId()), uuid.uuid4().hex):
        with pytest.raises(ValueError):
            decode_token(stranger)


# Every resource, public ones too ------------------------------------------------------


class Bulletins(BackboneResource):
    """Everyone's: each change reaches every stream."""

    collection = "bulletins"
    item_name = "bulletin"
    public = True
    fields = {"title": Line(required=True)}


@pytest.fixture
def many_resources_url(make_app):
    with serving(make_app(resources=[*registered(), Tasks, Bulletins])) as base:
        yield base


def test_every_resource_reports_its_changes_under_its_name(many_resources_url):
    alice = Person(many_resources_url, "alice@example.com").register()
    bob = Person(many_resources_url, "bob@example.com").register()
    alice_stream, bob_stream = alice.events(), bob.events()
    task = alice.api("POST", "/api/sample_tasks", json={"title": "Alice's task", "priority": 3})
    created = alice_stream.next_change()
    assert (created["resource"], created["op"], created["_id"]) == (
        "sample_tasks",
        "create",
        task["_id"],
    )
    assert created["document"] == alice.api("GET", f"/api/sample_tasks/{task['_id']}")

    bulletin = alice.api("POST", "/api/bulletins", json={"title": "For everyone"})
    alice.api("DELETE", f"/api/bulletins/{bulletin['_id']}")
    for stream in (alice_stream, bob_stream):  # Bob sees the public one, not the task
        assert stream.next_change() == {
            "resource": "bulletins",
            "op": "create",
            "_id": bulletin["_id"],
            "document": bulletin,
        }
        deleted = stream.next_change()
        assert (deleted["op"], deleted["_id"]) == ("delete", bulletin["_id"])
    bob_stream.assert_quiet()
    alice.close()
    bob.close()


def test_a_document_given_to_someone_else_is_deleted_for_its_former_owner(alice, bob, db):
    widget = alice.create("Passed on")
    alice_stream, bob_stream = alice.events(), bob.events()
    db.widgets.update_one(
        {"_id": ObjectId(widget["_id"])}, {"$set": {"owner_id": user_id(db, bob)}}
    )
    gone = alice_stream.next_change()
    assert (gone["op"], gone["_id"], gone["document"]) == ("delete", widget["_id"], None)
    arrived = bob_stream.next_change()
    assert (arrived["op"], arrived["_id"]) == ("create", widget["_id"])  # new to Bob
    assert arrived["document"] == bob.api("GET", f"/api/widgets/{widget['_id']}")


def test_the_stream_lives_through_a_database_restart_and_misses_nothing(
    make_app, settings, tmp_path
):
    server = start_secantus(tmp_path / "db")
    app = make_app({"MONGO_URI": server.uri})
    try:
        with serving(app) as url:
            alice = Person(url, "patient@example.com").register()
            stream = alice.events()
            before = alice.create("Before the restart")
            assert stream.next_change()["_id"] == before["_id"]

            server.stop()
            time.sleep(1)
            server = start_secantus(tmp_path / "db", port=server.port)
            # Written while the app's feed is still reconnecting: it resumes after
            # the last change it had, so this one is not lost either.
            with MongoClient(server.uri) as client:
                owner = client[settings["MONGO_DATABASE"]].users.find_one()["_id"]
                inserted = (
                    client[settings["MONGO_DATABASE"]]
                    .widgets.insert_one({"owner_id": owner, "name": "Meanwhile", "version": 1})
                    .inserted_id
                )
            assert stream.next_change(timeout=15)["_id"] == str(inserted)
            after = alice.create("After the restart")
            assert stream.next_change()["_id"] == after["_id"]
            alice.close()
    finally:
        app.extensions["mongo"].close()  # before the server stops, not after
        server.stop()


# Whole collections, pre-images, slow clients, stopping workers ------------------------


def test_a_dropped_collection_resets_every_stream_and_deletes_still_reach_owners(alice, bob, db):
    widget = alice.create("Soon dropped")
    alice_stream, bob_stream = alice.events(), bob.events()
    db.widgets.drop()
    for stream in (alice_stream, bob_stream):
        event, _data, _id = stream.next()
        assert event == "reset"
    # The collection made again by the next write has its pre-images again.
    again = alice.create("Made again")
    assert alice_stream.next_change()["_id"] == again["_id"]
    db.widgets.delete_one({"_id": ObjectId(again["_id"])})
    deleted = alice_stream.next_change()
    assert (deleted["op"], deleted["_id"]) == ("delete", again["_id"])
    assert widget["_id"] != again["_id"]
    bob_stream.assert_quiet()


def test_without_pre_images_a_delete_goes_to_nobody_rather_than_to_everybody(
    alice, bob, db, caplog
):
    widget = alice.create("Anonymous delete")
    alice_stream, bob_stream = alice.events(), bob.events()
    db.command("collMod", "widgets", changeStreamPreAndPostImages={"enabled": False})
    db.widgets.delete_one({"_id": ObjectId(widget["_id"])})
    marker = alice.create("After the delete")
    assert alice_stream.next_change()["_id"] == marker["_id"]  # the delete never came
    bob_stream.assert_quiet()
    assert "without a pre-image" in caplog.text


def test_a_subscriber_that_falls_behind_is_cut_off_to_resume(live_app, db, alice):
    live_app.config["LIVE_QUEUE_SIZE"] = 2
    owner = user_id(db, alice)
    with live_app.app_context():
        feed = live_app.extensions["live"].feed
        subscriber, _position, _at_event = feed.subscribe(owner, "a session id")
    try:
        db.widgets.insert_many([{"owner_id": owner, "name": f"n{i}"} for i in range(5)])
        deadline = time.monotonic() + DELIVERY_SECONDS
        while not subscriber.overflowed and time.monotonic() < deadline:
            time.sleep(0.05)
        assert subscriber.overflowed  # its stream ends; the client resumes from its last id
        assert subscriber.queue.qsize() == 2
    finally:
        feed.unsubscribe(subscriber)


def test_a_stopping_gunicorn_worker_ends_its_streams_at_once(settings, tmp_path):
    """With backend/gunicorn_conf.py, SIGTERM ends the streams instead of waiting
    gunicorn's graceful timeout (30 s) for them."""
    port = free_port()
    env = {
        **os.environ,
        **settings,
        "LIVE_KEEPALIVE_SECONDS": "60",
        "MAIL_WORKER": "thread",  # the verification link, for Person.register
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    command = [
        "gunicorn", "--config", GUNICORN_CONFIG, "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--worker-class", "gthread", "--threads", "8", "backend:create_app()",
    ]  # fmt: skip
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parent.parent
        )
    url = f"http://127.0.0.1:{port}"
    outbox.VAR_DIRS[url] = Path(settings["VAR_DIR"])
    try:
        wait_until_healthy(url, process, log=log.read_text)
        alice = Person(url, "stopping@example.com").register()
        stream = alice.events()
        assert stream.response.status_code == 200
        time.sleep(0.5)
        started = time.monotonic()
        process.terminate()
        stream.wait_for_end(timeout=5)
        assert process.wait(timeout=10) == 0, log.read_text()
        assert time.monotonic() - started < 10
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
