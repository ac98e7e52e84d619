"""The image's gunicorn settings: ``gunicorn --config python:backend.gunicorn_conf``.

Two things each worker does once it has loaded the app (``post_worker_init``):

- It freezes what loading the app made (modules, routes, templates: tens of
  thousands of objects that live as long as the worker) out of the cyclic
  garbage collector's reach. Otherwise each full collection walks them all
  again: 40-80 ms here, paid by whichever request sets it off.
- It ends its live streams as soon as it is told to stop. A stopping gthread
  worker (a deploy, ``docker compose restart``) waits for its open requests
  for up to ``graceful_timeout``; an /api/events stream never ends by itself,
  so the worker would hang on until it is killed. Browsers reconnect (with
  Last-Event-ID, so nothing is lost) to a worker that stays.
"""

import gc
import signal
import threading


def post_worker_init(worker):
    freeze_long_lived_objects()
    end_streams_on_sigterm(worker)


def freeze_long_lived_objects():
    # Collect first, so that only what is still alive is frozen (Python's
    # documentation of gc.freeze); objects made later are collected as usual.
    gc.collect()
    gc.freeze()


def end_streams_on_sigterm(worker):
    stop_gracefully = worker.handle_exit

    def stop_and_end_streams(signum, frame):
        stop_gracefully(signum, frame)
        # Not in the signal handler itself: ending the streams takes their feed's lock.
        threading.Thread(target=_end_streams, name="end-live-streams", daemon=True).start()

    signal.signal(signal.SIGTERM, stop_and_end_streams)


def _end_streams():
    from backend.live.feed import end_all_streams

    end_all_streams()
