"""The image's gunicorn settings, backend/gunicorn_conf.py (its SIGTERM hook is
tested with the live streams it ends, in test_live.py)."""

import gc
import signal
import weakref
from types import SimpleNamespace

from backend.gunicorn_conf import post_worker_init


class Node:
    pass


def test_a_worker_freezes_what_it_has_loaded_and_still_collects_what_comes_later():
    previous = signal.getsignal(signal.SIGTERM)
    try:
        post_worker_init(SimpleNamespace(handle_exit=lambda signum, frame: None))
        # The modules, classes and functions this process has loaded.
        assert gc.get_freeze_count() > 10_000

        node = Node()
        node.itself = node  # a cycle: only the collector can free it
        gone = weakref.ref(node)
        del node
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
        signal.signal(signal.SIGTERM, previous)
