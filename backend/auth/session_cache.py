"""The login sessions this process has seen, kept true by a change stream.

Loading the user of a request would otherwise cost a ``find_one`` on
``sessions`` every time. :class:`SessionCache` keeps what ``load_session``
needs of each session (:class:`Entry`), by the digest stored as its ``_id``,
and a daemon thread per process follows the collection's change stream: a
session deleted, updated or replaced anywhere (another process, a script, the
TTL job) leaves the cache within about 0.3 s; a dropped collection or database
empties it. Updates are rare (the touch every SESSION_TOUCH_INTERVAL, an
email change), so an updated session is simply read again once.

The rules that keep it true:

- Nothing is cached unless the stream is open: while it is down (an error,
  reconnecting) or where the database has none (a standalone mongod), the
  cache is empty and every request reads its session as it would without one.
- A lookup takes a :meth:`~SessionCache.ticket` before it reads the database
  and caches what it read only if nothing was evicted since. Otherwise a
  session read just before its delete, whose event the watcher dispatched
  before the reader got to :meth:`~SessionCache.put`, would stay cached.
- What this process ends it evicts at once (:meth:`~SessionCache.evict`,
  :meth:`~SessionCache.evict_user`), after the database write: the stream
  tells the other processes.
"""

import logging
import threading
from collections import namedtuple

from pymongo.errors import OperationFailure, PyMongoError

from backend.process import PerProcess

log = logging.getLogger(__name__)

AWAIT_MS = 1000  # a getMore waits this long for a change (a change returns at once)
# The pause after a getMore that brought nothing (backend/database.py says why
# there is one). Longer than the live feed's: a revocation still reaches every
# process well inside the second promised, and on the embedded server each
# early answer costs the process about as much CPU as an API request's query.
QUIET_PAUSE = 0.3
MAX_RECONNECT_DELAY = 5
# A database that refuses change streams (standalone) will not change its mind soon.
UNAVAILABLE_RETRY_SECONDS = 60
# Far more sessions than a process serves at once; past it, the oldest entry goes.
MAX_ENTRIES = 100_000
# Changes after which no entry can be trusted.
CLEAR_ALL = {"drop", "rename", "dropDatabase", "invalidate"}

Entry = namedtuple("Entry", "user_id email created_at last_used_at")


def init_app(app, collection):
    """Give ``app`` a cache of ``collection``, made (with its thread) in each process."""
    connection = app.extensions["mongo"]
    app.extensions["session_cache"] = PerProcess(
        lambda: SessionCache(connection, collection).start()
    )


class SessionCache:
    """:class:`Entry` s by session digest, evicted by the changes to ``collection``.

    ``connection`` is the app's ``backend.database.Connection``: the watcher
    uses the client that the app's requests open (so a failing connect never
    holds a request up twice), and ends when it is closed.
    """

    def __init__(self, connection, collection):
        self.connection = connection
        self.collection = collection
        self.entries = {}
        self.lock = threading.Lock()
        # Bumped by every eviction and every change of `live`, under the lock.
        self.invalidations = 0
        self.live = False
        self._stopping = threading.Event()
        self.thread = None

    # Lookups -------------------------------------------------------------------

    def get(self, digest):
        """The cached entry, or None (look it up, with a ticket)."""
        return self.entries.get(digest)

    def ticket(self):
        """Taken before reading a session from the database, for :meth:`put`."""
        with self.lock:
            return self.invalidations if self.live else None

    def put(self, digest, entry, ticket):
        """Cache ``entry`` if the stream was open at ``ticket`` and nothing was
        evicted since; True if it is cached."""
        with self.lock:
            if ticket is None or ticket != self.invalidations:
                return False
            if len(self.entries) >= MAX_ENTRIES:
                del self.entries[next(iter(self.entries))]  # the oldest
            self.entries[digest] = entry
            return True

    # Evictions -----------------------------------------------------------------

    def evict(self, digest):
        with self.lock:
            self.invalidations += 1
            self.entries.pop(digest, None)

    def evict_user(self, user_id, keep=None):
        """Evict every session of ``user_id`` but the one of digest ``keep``."""
        with self.lock:
            self.invalidations += 1
            for digest in [d for d, e in self.entries.items() if e.user_id == user_id]:
                if digest != keep:
                    del self.entries[digest]

    def _set_live(self, live):
        with self.lock:
            self.invalidations += 1
            self.entries.clear()
            self.live = live

    # The watcher ---------------------------------------------------------------

    def start(self):
        """Start the watcher thread; the cache fills once its stream is open."""
        self.thread = threading.Thread(target=self._run, name="session-cache", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self._stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=AWAIT_MS / 1000 + 1)

    def _run(self):
        db, delay = None, 0.5
        while not self._stopping.is_set():
            if db is not None and self.connection.connected is not db:
                return  # its client was closed: the app is done with the database
            if db is None:
                # The app's requests connect (the first one follows at once); the
                # watcher only waits, so as never to hold them up while it fails.
                db = self.connection.connected
                if db is None:
                    self._stopping.wait(delay)
                    delay = min(delay * 2, MAX_RECONNECT_DELAY)
                    continue
            try:
                stream = db[self.collection].watch(
                    # Not inserts: a new session is read when it is first used.
                    [{"$match": {"operationType": {"$ne": "insert"}}}],
                    max_await_time_ms=AWAIT_MS,
                )
            except OperationFailure as error:
                log.warning(
                    "Login sessions are read on every request: the database cannot "
                    "report changes (%s).",
                    error,
                )
                self._stopping.wait(UNAVAILABLE_RETRY_SECONDS)
                continue
            except PyMongoError as error:
                log.info("The session cache's change stream is still down: %s", error)
                self._stopping.wait(delay)
                delay = min(delay * 2, MAX_RECONNECT_DELAY)
                continue
            delay = 0.5
            self._follow(stream)

    def _follow(self, stream):
        """Apply ``stream``'s changes until it fails or is invalidated."""
        self._set_live(True)
        log.info("Session cache: following the changes of %s.", self.collection)
        try:
            with stream:
                while not self._stopping.is_set():
                    change = stream.try_next()
                    if change is None:
                        self._stopping.wait(QUIET_PAUSE)
                    elif self._apply(change) == "invalidate":
                        return
        except PyMongoError as error:
            if self.connection.connected is not None:
                log.warning("The session cache's change stream failed (%s); reopening.", error)
        finally:
            self._set_live(False)

    def _apply(self, change):
        operation = change["operationType"]
        if operation in CLEAR_ALL:
            self._set_live(operation != "invalidate")
        elif "documentKey" in change:  # a delete, update or replace
            self.evict(change["documentKey"]["_id"])
        return operation
