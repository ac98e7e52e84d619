"""``GET /api/events``: the logged-in user's changes as Server-Sent Events."""

import logging
import queue
import select
import socket
import time

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context
from flask_login import current_user
from pymongo.errors import OperationFailure, PyMongoError

from backend.auth.models import load_session
from backend.extensions import login_manager
from backend.live.feed import (
    CATCH_UP_AWAIT_MS,
    CHECK_SESSION,
    END_STREAM,
    ChangeFeed,
    ChangeStreamsUnavailable,
    TooManyStreams,
    decode_token,
    encode_token,
    reset_event,
)
from backend.process import PerProcess

blueprint = Blueprint("live", __name__)
log = logging.getLogger(__name__)

# The front end polls instead meanwhile; the database will not change its mind soon.
UNAVAILABLE_RETRY_AFTER = 60
BUSY_RETRY_AFTER = 5
# How often a quiet stream looks whether its client has gone away.
CLIENT_CHECK_SECONDS = 1
STREAM_HEADERS = {
    "Cache-Control": "no-store",
    # nginx (and proxies that follow it) must pass each event on at once.
    "X-Accel-Buffering": "no",
}


def init_live(app):
    """Serve /api/events; each process makes its own feed when first asked."""
    app.extensions["live"] = LiveChanges(app)
    app.register_blueprint(blueprint)


class LiveChanges:
    """The app's change feed in this process (gunicorn forks its workers after import)."""

    def __init__(self, app):
        self.app = app
        self._feed = PerProcess(lambda: ChangeFeed(app))

    @property
    def feed(self):
        return self._feed.get()


@blueprint.route("/api/events")
def events():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    feed = current_app.extensions["live"].feed
    try:
        subscriber, position, at_event = feed.subscribe(current_user.id, current_user.get_id())
    except ChangeStreamsUnavailable:
        return unavailable(
            "This database cannot report changes (it is not a replica set).",
            UNAVAILABLE_RETRY_AFTER,
        )
    except TooManyStreams:
        return unavailable("Too many live streams are open; try again soon.", BUSY_RETRY_AFTER)
    stream = EventStream(feed, subscriber, position, at_event, request.headers.get("Last-Event-ID"))
    response = Response(
        stream_with_context(stream.events()), mimetype="text/event-stream", headers=STREAM_HEADERS
    )
    # Also when the body is never read (HEAD, or a client gone before the first byte).
    response.call_on_close(lambda: feed.unsubscribe(subscriber))
    return response


def unavailable(message, retry_after):
    response = jsonify(error=message)
    response.status_code = 503
    response.headers["Retry-After"] = str(retry_after)
    return response


class EventStream:
    """One client's events: what it missed (after Last-Event-ID), then the feed's."""

    def __init__(self, feed, subscriber, position, at_event, last_event_id):
        self.feed = feed
        self.subscriber = subscriber
        self.position = position
        self.at_event = at_event
        self.last_event_id = last_event_id
        self.keepalive = current_app.config["LIVE_KEEPALIVE_SECONDS"]
        self.client = ClientConnection(request.environ)
        # Tokens the catch-up sent that the feed's queue may hold too.
        self.sent = set()

    def events(self):
        try:
            yield ": live changes\n\n"  # sends the headers now: the client knows it is connected
            if self.last_event_id:
                yield from self.catch_up()
            elif self.position:
                # An id with no data sets the client's Last-Event-ID and shows nothing,
                # so a reconnect resumes from here even before the first change.
                yield f"id: {encode_token(self.position)}\n\n"
            yield from self.follow()
        finally:
            self.feed.unsubscribe(self.subscriber)

    def follow(self):
        subscriber = self.subscriber
        quiet_since = time.monotonic()
        while not subscriber.overflowed:
            try:
                item = subscriber.queue.get(timeout=min(self.keepalive, CLIENT_CHECK_SECONDS))
            except queue.Empty:
                if self.client.gone():
                    return  # frees the thread now, not at the next write
                if time.monotonic() - quiet_since < self.keepalive:
                    continue
                if not self.session_alive():
                    return
                yield self.keepalive_comment()
                quiet_since = time.monotonic()
                continue
            if item is END_STREAM:
                return
            if item is CHECK_SESSION:
                # Read afresh: the session cache's own stream may not have seen
                # this delete yet.
                if not self.session_alive(fresh=True):
                    return
                continue
            if self.sent:
                if event_id(item) in self.sent:
                    continue  # the catch-up sent it already
                self.sent.clear()  # past the catch-up: nothing more to skip
            yield item
            quiet_since = time.monotonic()

    def keepalive_comment(self):
        position = self.feed.idle_position(self.subscriber)
        line = f"id: {encode_token(position)}\n" if position else ""
        return f": keep-alive\n{line}\n"

    def session_alive(self, fresh=False):
        """False once the login session has ended (logout, revocation, expiry); from
        the session cache at each keep-alive, from the database when ``fresh``."""
        try:
            return load_session(self.subscriber.session_id, fresh=fresh) is not None
        except PyMongoError:
            return True  # can't tell while the database is away; no change flows either

    def catch_up(self):
        """The changes after Last-Event-ID, up to where the feed's queue began.

        A change stream of this client's own resumes after the token and runs
        until it has nothing more: the present. The feed's queue began at the
        feed's position, so its first changes may repeat the catch-up's last
        ones, and those are skipped; when that position is a change, the
        catch-up stops right there, which leaves nothing to skip.
        """
        try:
            token = decode_token(self.last_event_id)
        except ValueError:
            yield reset_event(self.position)
            return
        try:
            with self.feed.open(resume_after=token, await_ms=CATCH_UP_AWAIT_MS) as stream:
                while (change := stream.try_next()) is not None:
                    for text in self.feed.texts_for(change, self.subscriber):
                        self.sent.add(event_id(text))
                        yield text
                    if self.at_event and change["_id"] == self.position:
                        self.sent.clear()
                        return
        except OperationFailure as error:
            # Gone from the oplog (HISTORY_LOST), or refused for another reason: either
            # way the client cannot be told what it missed, so it fetches again.
            log.info("Cannot resume from Last-Event-ID: %s", error)
            self.sent.clear()
            yield reset_event(self.position)


class ClientConnection:
    """The client's socket, where the server tells (gunicorn, Werkzeug), to see it close.

    A stream otherwise learns that its client left only when a write fails, at
    the next keep-alive, and holds its thread and its place until then.
    """

    def __init__(self, environ):
        self.socket = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")

    def gone(self):
        if self.socket is None:
            return False
        try:
            poller = select.poll()
            poller.register(self.socket, select.POLLIN | select.POLLHUP | select.POLLERR)
            if not poller.poll(0):
                return False
            # Readable: either the client's next bytes or the end of the connection.
            return self.socket.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except (BlockingIOError, ValueError):  # ValueError: a TLS socket cannot peek
            return False
        except OSError:
            return True


def event_id(text):
    """The id line's value of an event's text, or None."""
    if text.startswith("id: "):
        return text[4 : text.index("\n")]
    return None
