"""gunicorn settings for live streams: ``gunicorn -c python:backend.live.gunicorn``.

A stopping gthread worker (a deploy, ``docker compose restart``) waits for its
open requests for up to ``graceful_timeout``; an /api/events stream never
ends by itself, so the worker would hang on until it is killed. This hook
ends the worker's streams as soon as it is told to stop: browsers reconnect
(with Last-Event-ID, so nothing is lost) to a worker that stays.
"""

import signal
import threading


def post_worker_init(worker):
    stop_gracefully = worker.handle_exit

    def stop_and_end_streams(signum, frame):
        stop_gracefully(signum, frame)
        # Not in the signal handler itself: ending the streams takes their feed's lock.
        threading.Thread(target=_end_streams, name="end-live-streams", daemon=True).start()

    signal.signal(signal.SIGTERM, stop_and_end_streams)


def _end_streams():
    from backend.live.feed import end_all_streams

    end_all_streams()
