"""Live changes: ``GET /api/events`` streams each change to the user's documents.

See ``feed.py`` for the one change stream per process and ``views.py`` for
the endpoint; ``init_live(app)`` wires them into the app.
"""

from backend.live.views import init_live

__all__ = ["init_live"]
