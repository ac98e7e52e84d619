"""The app's resources, each a package of ``backend/`` like ``backend/widgets``.

A resource's ``views.py`` makes ``blueprint``, which serves its JSON API under
``/api/<name>``; the index page is also served at ``/<name>``, ``/<name>/new``
and ``/<name>/<id>``, where the front end shows it. ``flask --app backend
scaffold`` adds a line here; delete a line to take a resource out of the app.
"""

from importlib import import_module

RESOURCES = [
    "widgets",
]


def owned_collections():
    """Each resource's collection: its documents belong to a user by ``owner_id``."""
    return [import_module(f"backend.{name}.models").COLLECTION for name in RESOURCES]
