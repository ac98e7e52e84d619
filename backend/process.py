"""What each process makes for itself: :class:`PerProcess`.

gunicorn imports the app in its master, then forks the workers. A pymongo
client, a thread or a change stream made before the fork does not work in the
child (threads do not survive a fork; a client's sockets would be shared), so
each of those is made lazily, by the first request of each process.
"""

import os
import threading


class PerProcess:
    """A value made by ``factory()`` on first use in each process, once.

    ``get()`` checks the process id, takes the lock, and checks again, so two
    first requests at once still make one value, and the later requests pay a
    comparison only. A forked child makes its own. ``reset()`` forgets the
    value: the next ``get()`` makes another.
    """

    def __init__(self, factory):
        self._factory = factory
        self._lock = threading.Lock()
        self._pid = None
        self._value = None

    def get(self):
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    # The value first: a reader that sees this pid sees it too.
                    self._value = self._factory()
                    self._pid = os.getpid()
        return self._value

    def peek(self):
        """The value this process made, or None (none yet, or only the parent's)."""
        return self._value if self._pid == os.getpid() else None

    def reset(self):
        with self._lock:
            self._value = self._pid = None
