"""One change stream per process, fanned out to that process's subscribers.

A :class:`ChangeFeed` watches the app's database (pymongo ``watch()``, so a
MongoDB replica set or SecantusDB) from one background thread, started when
the first subscriber arrives and stopped a second after the last one leaves.
Each change to a resource's document is formatted once, as the Server-Sent
Event the API sends, and put on the bounded queue of every subscriber whose
user owns the document (every subscriber, for a public resource). A deleted
document's owner comes from its pre-image (``fullDocumentBeforeChange``):
the feed enables change stream pre-images on each owned collection, so a
delete made anywhere (the API, ``flask seed``, a script) reaches its owner,
and only its owner. A deleted login session tells the subscribers to check
theirs, so a stream ends with its session.
"""

import base64
import contextlib
import logging
import queue
import threading
import time
import weakref
from collections import defaultdict

import bson
from pymongo.errors import CollectionInvalid, OperationFailure, PyMongoError

from backend.auth.models import SESSIONS
from backend.database import QUIET_STREAM_PAUSE

log = logging.getLogger(__name__)

# mongod and SecantusDB say so when the resume point has left the oplog
# (ChangeStreamHistoryLost, ChangeStreamFatalError); an unreadable token
# (FailedToParse, BadValue) is as good as gone.
HISTORY_LOST = {286, 280, 9, 2}
NAMESPACE_NOT_FOUND = 26
# Operations that change a whole collection (or the database): clients fetch again.
COLLECTION_EVENTS = {"drop", "rename", "dropDatabase", "invalidate"}
AWAIT_MS = 1000  # a getMore waits this long for a change (a change returns at once)
CATCH_UP_AWAIT_MS = 100
MAX_RECONNECT_DELAY = 5
# Refusals to resume after which the feed starts afresh (and clients fetch again).
MAX_RESUME_REFUSALS = 3


class ChangeStreamsUnavailable(Exception):
    """The database cannot report changes (a standalone mongod, say)."""


class TooManyStreams(Exception):
    """This process already serves its LIVE_MAX_STREAMS streams."""


# Items on a subscriber's queue besides the events' text.
CHECK_SESSION = object()
END_STREAM = object()  # the server is stopping: the client reconnects to another
# The audience of a public resource's changes.
EVERYONE = object()


def encode_token(token):
    """A resume token as an SSE id: base64url of its BSON, opaque to the client."""
    return base64.urlsafe_b64encode(bson.encode(token)).rstrip(b"=").decode()


def decode_token(text):
    """The resume token of an SSE id; ValueError when it is none of ours."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        token = bson.decode(raw)
    except Exception as error:  # binascii.Error, bson.errors.InvalidBSON, ...
        raise ValueError(f"not a resume token: {error}") from None
    if "_data" not in token:
        raise ValueError("not a resume token")
    return token


def reset_event(position):
    """``event: reset``: what the client had is gone; it fetches again from ``position``."""
    line = f"id: {encode_token(position)}\n" if position else ""
    return f"{line}event: reset\ndata: {{}}\n\n"


# Every feed of this process, for end_all_streams.
_FEEDS = weakref.WeakSet()


def end_all_streams():
    """End every open stream of this process (a stopping gunicorn worker calls it,
    see ``backend/gunicorn_conf.py``): its clients reconnect, with Last-Event-ID,
    to a worker that stays, instead of holding this one up until it is killed."""
    for feed in list(_FEEDS):
        with feed.lock:
            feed.broadcast(END_STREAM)


class Subscriber:
    """One open stream: a user, their login session and a bounded queue."""

    def __init__(self, user_id, session_id, queue_size):
        self.user_id = user_id
        self.session_id = session_id
        self.queue = queue.Queue(queue_size)
        # Set when the queue was full: events were lost, so the stream ends and
        # the client resumes from the last event it had (Last-Event-ID).
        self.overflowed = False

    def put(self, item):
        try:
            self.queue.put_nowait(item)
        except queue.Full:
            self.overflowed = True


class ChangeFeed:
    """The process's change stream over the app's database, and its subscribers."""

    def __init__(self, app):
        self.app = app
        self.max_streams = app.config["LIVE_MAX_STREAMS"]
        self.queue_size = app.config["LIVE_QUEUE_SIZE"]
        resources = app.extensions.get("resources", {}).values()
        # A resource scoped some other way (its own base_query) cannot be routed
        # safely, so it has no events rather than leaking any.
        self.resources = {r.collection: r for r in resources if r.owner_field or r.public}
        self.pipeline = [
            {
                "$match": {
                    "$or": [
                        {"ns.coll": {"$in": sorted(self.resources)}},
                        {"ns.coll": SESSIONS, "operationType": "delete"},
                        {"operationType": {"$in": ["dropDatabase", "invalidate"]}},
                    ]
                }
            }
        ]
        self.lock = threading.Lock()
        self.subscribers = set()
        self.by_user = defaultdict(set)
        self.stream = None
        self.thread = None
        # Where the feed is: the last change dispatched, or the stream's
        # post-batch token when it had nothing new. ``at_event`` says which.
        self.position = None
        self.at_event = False
        _FEEDS.add(self)

    # Subscribers ---------------------------------------------------------------

    def subscribe(self, user_id, session_id):
        """A new subscriber, and the position from which its queue gets changes."""
        with self.lock:
            if len(self.subscribers) >= self.max_streams:
                raise TooManyStreams
            if self.thread is None:
                self.start()
            subscriber = Subscriber(user_id, session_id, self.queue_size)
            self.subscribers.add(subscriber)
            self.by_user[user_id].add(subscriber)
            return subscriber, self.position, self.at_event

    def unsubscribe(self, subscriber):
        with self.lock:
            self.subscribers.discard(subscriber)
            users = self.by_user.get(subscriber.user_id)
            if users is not None:
                users.discard(subscriber)
                if not users:
                    del self.by_user[subscriber.user_id]

    def idle_position(self, subscriber):
        """The feed's position if ``subscriber`` has nothing waiting, else None.

        With its queue empty, the subscriber has had every change up to here,
        so the client may resume from it (the keep-alive carries it as the id).
        """
        with self.lock:
            return self.position if subscriber.queue.empty() else None

    # The stream --------------------------------------------------------------

    @property
    def db(self):
        return self.app.extensions["mongo"].db

    def open(self, resume_after=None, await_ms=AWAIT_MS):
        """A change stream over the database with this feed's filter."""
        return self.db.watch(
            self.pipeline,
            full_document="updateLookup",
            full_document_before_change="whenAvailable",
            resume_after=resume_after,
            max_await_time_ms=await_ms,
        )

    def start(self):
        """Open the stream (in the caller's thread, so that it sees the failure) and run it."""
        self.enable_pre_images()
        try:
            self.stream = self.open()
        except OperationFailure as error:
            log.warning("The database cannot report changes: %s", error)
            raise ChangeStreamsUnavailable(str(error)) from None
        self.position, self.at_event = self.stream.resume_token, False
        name = f"live-changes {self.app.config['MONGO_DATABASE']}"
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)
        self.thread.start()

    def enable_pre_images(self):
        """Keep each owned document's last version with its delete, so the delete's
        owner is known (mongod 6.0+, Atlas and SecantusDB; needs the collMod action)."""
        for collection, resource in self.resources.items():
            if resource.public:
                continue
            try:
                self.set_pre_images(collection)
            except OperationFailure as error:
                log.warning(
                    "Change stream pre-images are off for %s (%s): deletes of its "
                    "documents will not be reported live.",
                    collection,
                    error,
                )

    def set_pre_images(self, collection):
        option = {"changeStreamPreAndPostImages": {"enabled": True}}
        try:
            self.db.command("collMod", collection, **option)
        except OperationFailure as error:
            if error.code != NAMESPACE_NOT_FOUND:
                raise
            try:
                self.db.create_collection(collection, **option)
            except CollectionInvalid:  # made meanwhile by a write
                self.db.command("collMod", collection, **option)

    def run(self):
        while True:
            try:
                change = self.stream.try_next()
            except PyMongoError as error:
                if not self.reconnect(error):
                    return
                continue
            if change is None:
                with self.lock:
                    self.position = self.stream.resume_token or self.position
                    self.at_event = False
                    if not self.subscribers:
                        self.stop()
                        return
                time.sleep(QUIET_STREAM_PAUSE)
                continue
            with self.lock:
                self.position, self.at_event = change["_id"], True
                self.dispatch(change)
            if change.get("operationType") == "drop":
                self.after_drop(change)

    def stop(self):
        """With the lock held: close the stream; the next subscriber starts another."""
        with contextlib.suppress(PyMongoError):
            self.stream.close()
        self.stream = self.thread = None

    def reconnect(self, error):
        """After a failure, resume where the feed was; False once nobody listens."""
        delay, refusals = 0.5, 0
        log.warning("The change stream failed (%s); reconnecting.", error)
        with contextlib.suppress(PyMongoError):
            self.stream.close()
        while True:
            with self.lock:
                if not self.subscribers:
                    self.stream = self.thread = None
                    return False
            try:
                stream = self.open(resume_after=self.position)
            except OperationFailure as failure:
                refusals += 1
                # A transient refusal (an election, say) may pass; history lost will not.
                if failure.code not in HISTORY_LOST and refusals < MAX_RESUME_REFUSALS:
                    log.warning("The change stream cannot resume yet: %s", failure)
                    time.sleep(delay)
                    delay = min(delay * 2, MAX_RECONNECT_DELAY)
                    continue
                stream = self.restart()
                if stream is None:
                    time.sleep(delay)
                    continue
            except PyMongoError as failure:
                log.info("The change stream is still down: %s", failure)
                time.sleep(delay)
                delay = min(delay * 2, MAX_RECONNECT_DELAY)
                continue
            self.stream = stream
            return True

    def restart(self):
        """The feed's own history is gone: start afresh and tell every subscriber."""
        try:
            stream = self.open()
        except PyMongoError:
            return None
        with self.lock:
            self.position, self.at_event = stream.resume_token, False
            self.broadcast(reset_event(self.position))
        return stream

    def after_drop(self, change):
        # A collection made again by the next write would have no pre-images.
        collection = change.get("ns", {}).get("coll")
        if collection in self.resources:
            try:
                self.set_pre_images(collection)
            except PyMongoError as error:
                log.warning("Could not enable pre-images on %s again: %s", collection, error)

    # Routing -----------------------------------------------------------------

    def broadcast(self, item):
        for subscriber in self.subscribers:
            subscriber.put(item)

    def dispatch(self, change):
        """With the lock held: put the change on the queue of each subscriber who may see it."""
        if change.get("ns", {}).get("coll") == SESSIONS:
            # The stored session's key need not be the cookie's session id, so each
            # subscriber checks its own session (one lookup by _id).
            self.broadcast(CHECK_SESSION)
            return
        for audience, text in self.deliveries(change):
            subscribers = self.subscribers if audience is EVERYONE else self.by_user.get(audience)
            for subscriber in subscribers or ():
                subscriber.put(text)

    def deliveries(self, change):
        """[(user id or EVERYONE, event text)] for one change."""
        operation = change["operationType"]
        if operation in COLLECTION_EVENTS:
            return [(EVERYONE, reset_event(change["_id"]))]
        resource = self.resources.get(change.get("ns", {}).get("coll"))
        if resource is None or "documentKey" not in change:
            return []
        token = encode_token(change["_id"])
        after = change.get("fullDocument")
        before = change.get("fullDocumentBeforeChange")
        if operation == "delete":
            return self.delete_deliveries(resource, change, before, token)
        if after is None:
            return []  # an update of a document deleted since: its delete follows
        document = resource.serialize(after)
        if resource.public:
            op = "create" if operation == "insert" else "update"
            return [(EVERYONE, self.change_event(token, resource, op, after["_id"], document))]
        owner = after.get(resource.owner_field)
        # The owner is read from the document as it is now (updateLookup), so a
        # document given to someone else since reaches only its new owner.
        former = before.get(resource.owner_field) if before is not None else owner
        op = "create" if operation == "insert" or former != owner else "update"
        deliveries = [(owner, self.change_event(token, resource, op, after["_id"], document))]
        if former != owner:  # gone, for its former owner
            gone = self.change_event(token, resource, "delete", after["_id"], None)
            deliveries.append((former, gone))
        return deliveries

    def delete_deliveries(self, resource, change, before, token):
        document_id = change["documentKey"]["_id"]
        event = self.change_event(token, resource, "delete", document_id, None)
        if resource.public:
            return [(EVERYONE, event)]
        if before is None:
            log.warning(
                "A %s was deleted without a pre-image: its owner is unknown, so no "
                "client is told (are pre-images enabled on %s?).",
                resource.item_name,
                resource.collection,
            )
            return []
        return [(before.get(resource.owner_field), event)]

    def change_event(self, token, resource, op, document_id, document):
        data = self.app.json.dumps(
            {"resource": resource.name, "op": op, "_id": document_id, "document": document}
        )
        return f"id: {token}\nevent: change\ndata: {data}\n\n"

    def texts_for(self, change, subscriber):
        """The event texts of ``change`` that ``subscriber`` may see (for catching up)."""
        if change.get("ns", {}).get("coll") == SESSIONS:
            return []
        return [
            text
            for audience, text in self.deliveries(change)
            if audience is EVERYONE or audience == subscriber.user_id
        ]
