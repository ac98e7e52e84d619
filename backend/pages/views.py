"""The single-page app's index, rendered for every client-side route, and /healthz."""

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user, login_required
from jinja2 import TemplateNotFound
from pymongo.errors import PyMongoError

from backend.extensions import mongo
from backend.resources import RESOURCES
from backend.settings import RETRY_AFTER_SECONDS

blueprint = Blueprint("pages", __name__)

# Routes the front end handles itself (frontend/app/routes.js); each must
# render the index on reload.
CLIENT_ROUTES = (
    "/",
    *(route for name in RESOURCES for route in (f"/{name}", f"/{name}/new", f"/{name}/<item_id>")),
)


@login_required
def index(**_route_values):
    try:
        page = render_template("index.html", bootstrap=current_user.to_json())
    except TemplateNotFound:
        return render_template(
            "build_missing.html", public_dir=current_app.config["PUBLIC_DIR"]
        ), 503
    # The page carries a CSRF token and the user: never keep it in a cache.
    return page, 200, {"Cache-Control": "no-store"}


for route in CLIENT_ROUTES:
    blueprint.add_url_rule(route, "index", index)


@blueprint.route("/healthz")
def healthz():
    try:
        mongo.ping()
    except PyMongoError:
        return jsonify(status="unavailable"), 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return jsonify(status="ok")
