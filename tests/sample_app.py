"""The app with every registered resource plus the tests' own (tests/sample_resources.py).

Browser tests serve it with gunicorn: ``'tests.sample_app:create_app()'``.
"""

from backend import create_app as create_backend_app
from backend.resources import registered
from tests.sample_resources import Tasks

RESOURCES = [*registered(), Tasks]


def create_app(settings=None):
    return create_backend_app(settings, resources=RESOURCES)
