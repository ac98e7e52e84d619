"""The single-page app's index, rendered for every client-side route, and /healthz."""

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user, login_required
from jinja2 import TemplateNotFound
from pymongo.errors import PyMongoError

from backend.extensions import mongo
from backend.settings import RETRY_AFTER_SECONDS

blueprint = Blueprint("pages", __name__)

# The pages of each resource that the front end shows (frontend/app/routes.js
# makes the same ones from the resources in the bootstrap); each renders the
# index, so that reloading it works.
RESOURCE_ROUTES = ("/{name}", "/{name}/new", "/{name}/<item_id>", "/{name}/<item_id>/edit")


@blueprint.record_once
def add_resource_routes(state):
    for name in state.app.extensions["resources"]:
        for route in RESOURCE_ROUTES:
            state.app.add_url_rule(route.format(name=name), "pages.resource_page", index)
    # The header of the server-rendered pages (templates/_header.html) links
    # to each resource, as the app's does.
    state.app.jinja_env.globals["site_sections"] = [
        (name, resource.label) for name, resource in state.app.extensions["resources"].items()
    ]
    # Made once: the declarations cannot change while the app runs.
    state.app.extensions["descriptions"] = [
        resource.describe() for resource in state.app.extensions["resources"].values()
    ]


@login_required
def index(**_route_values):
    bootstrap = {
        **current_user.to_json(),
        "resources": current_app.extensions["descriptions"],
    }
    try:
        page = render_template("index.html", bootstrap=bootstrap)
    except TemplateNotFound:
        return render_template(
            "build_missing.html", public_dir=current_app.config["PUBLIC_DIR"]
        ), 503
    # The page carries a CSRF token and the user: never keep it in a cache.
    return page, 200, {"Cache-Control": "no-store"}


blueprint.add_url_rule("/", "index", index)


@blueprint.route("/healthz")
def healthz():
    try:
        mongo.ping()
    except PyMongoError:
        return jsonify(status="unavailable"), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify(status="ok")
