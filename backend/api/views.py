"""The JSON API's description: ``/api/openapi.json`` (OpenAPI 3.1, public) and
``/api/docs``, where Swagger UI shows it and can try each request."""

from flask import Blueprint, current_app, jsonify, render_template

from backend.api.openapi import openapi_document

blueprint = Blueprint("api", __name__)


@blueprint.record_once
def make_document(state):
    # Made once per app: the resources cannot change while it runs.
    app = state.app
    resources = app.extensions["resources"].values()
    app.extensions["openapi"] = openapi_document(resources, app.config["APP_NAME"])


@blueprint.route("/api/openapi.json")
def openapi():
    return jsonify(current_app.extensions["openapi"])


@blueprint.route("/api/docs")
def docs():
    # The one page under /api/ that is HTML. Public, like the document; its
    # "Try it out" sends this browser's session cookie, so log in first.
    return render_template("api/docs.html")
