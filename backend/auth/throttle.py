"""Throttling of repeated attempts (failed logins, say), counted in MongoDB.

The counters live in the database, so every gunicorn worker and every restart
sees the same ones; a TTL index deletes each an hour after its last attempt.
A key (an account, a client address) gets ``free_attempts``; after those, each
attempt must wait twice as long as the one before (1 s, 2 s, 4 s ... up to
``max_wait``): a person who mistypes barely notices, a script guessing
passwords slows to a crawl. An attempt made before its wait is over is
refused (429 with ``Retry-After``) and not counted.

``claim`` counts an attempt *before* the password is checked, in one atomic
compare-and-set: of twelve simultaneous guesses with five free attempts left,
exactly five get to bcrypt. A successful attempt then gives its place back
(``refund``) or clears the counter (``reset``).
"""

import math
from datetime import timedelta

from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from backend.extensions import mongo
from backend.serialization import utc_now

COLLECTION = "attempts"
FORGET_AFTER = timedelta(hours=1)
MAX_WAIT_SECONDS = 15 * 60

mongo.add_indexes(COLLECTION, [IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0)])


class Throttle:
    def __init__(self, name, free_attempts, max_wait_seconds=MAX_WAIT_SECONDS):
        self.name = name
        self.free_attempts = free_attempts
        self.max_wait_seconds = max_wait_seconds

    def retry_after(self, key):
        """Whole seconds until ``key`` may try again; 0 when it may now."""
        return self._wait(mongo.db[COLLECTION].find_one({"_id": self._id(key)}))

    def claim(self, key):
        """Count an attempt of ``key`` if it may make one now: 0, or the seconds to wait."""
        attempts = mongo.db[COLLECTION]
        while True:
            counter = attempts.find_one({"_id": self._id(key)})
            if wait := self._wait(counter):
                return wait
            now = utc_now()
            changes = {"last_attempt_at": now, "expires_at": now + FORGET_AFTER}
            if counter is None:
                try:
                    attempts.insert_one({"_id": self._id(key), "count": 1, **changes})
                except DuplicateKeyError:
                    continue  # another attempt got there first: look again
                return 0
            # Only if nobody counted another attempt since we looked.
            won = attempts.update_one(
                {"_id": self._id(key), "count": counter["count"]},
                {"$inc": {"count": 1}, "$set": changes},
            )
            if won.modified_count:
                return 0

    def refund(self, key):
        """Give back an attempt that ``claim`` counted (it succeeded)."""
        mongo.db[COLLECTION].update_one(
            {"_id": self._id(key), "count": {"$gt": 0}}, {"$inc": {"count": -1}}
        )

    def _wait(self, counter):
        if counter is None or counter["count"] < self.free_attempts:
            return 0
        wait = min(2 ** (counter["count"] - self.free_attempts), self.max_wait_seconds)
        left = counter["last_attempt_at"] + timedelta(seconds=wait) - utc_now()
        return max(0, math.ceil(left.total_seconds()))

    def record(self, key):
        now = utc_now()
        mongo.db[COLLECTION].update_one(
            {"_id": self._id(key)},
            {
                "$inc": {"count": 1},
                "$set": {"last_attempt_at": now, "expires_at": now + FORGET_AFTER},
            },
            upsert=True,
        )

    def reset(self, key):
        mongo.db[COLLECTION].delete_one({"_id": self._id(key)})

    def _id(self, key):
        return f"{self.name}:{key}"


def wait_message(seconds):
    """'Try again in 40 seconds.', for a person."""
    if seconds < 60:
        return f"Try again in {seconds} second{'s' if seconds != 1 else ''}."
    minutes = math.ceil(seconds / 60)
    return f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
