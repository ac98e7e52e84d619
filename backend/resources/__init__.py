"""The app's resources: each a class in a file of this package, one line here.

Each entry names a module of ``backend/resources/`` and the
:class:`~backend.api.BackboneResource` subclass in it. Its JSON API answers at
``/api/<name>`` and the front end shows it at ``/<name>``, listed in the header
in this order; delete a line to take a resource out of the app.
"""

from importlib import import_module

RESOURCES = [
    "widgets.Widgets",
]


def registered():
    """The resource classes that RESOURCES names, in its order."""
    classes = []
    for entry in RESOURCES:
        module, _, name = entry.rpartition(".")
        classes.append(getattr(import_module(f"{__name__}.{module}"), name))
    return classes


def register_resources(app, resources):
    """Serve each resource's API, and its pages with the index, in ``app``."""
    app.extensions["resources"] = {}
    for resource in resources:
        if resource.name in app.extensions["resources"]:
            raise TypeError(f"Two resources are named {resource.name!r}.")
        resource.register(app)
        app.extensions["resources"][resource.name] = resource


def check_resource_routes(app):
    """Refuse a resource whose URLs another part of the app serves already
    (a resource named ``events`` would hide ``/api/events``, say)."""
    endpoints = {}
    for rule in app.url_map.iter_rules():
        endpoints.setdefault(rule.rule, set()).add(rule.endpoint)
    for resource in app.extensions["resources"].values():
        for url in (f"/api/{resource.name}", f"/{resource.name}"):
            if len(endpoints.get(url, ())) > 1:
                raise TypeError(
                    f"The resource {resource.name!r} cannot be served at {url}: the app "
                    "serves that URL already. Give the resource another name."
                )


def owned_documents(app, user_id):
    """(collection, filter) of each resource's documents that belong to ``user_id``."""
    for resource in app.extensions["resources"].values():
        query = resource.owner_query(user_id)
        if query is not None:
            yield resource.collection, query
