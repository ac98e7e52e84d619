"""The JSON API's description, OpenAPI 3.1: ``GET /api/openapi.json``, public."""

from pathlib import Path

from flask import Blueprint, send_file

OPENAPI_DOCUMENT = Path(__file__).with_name("openapi.json")

blueprint = Blueprint("api", __name__)


@blueprint.route("/api/openapi.json")
def openapi():
    return send_file(OPENAPI_DOCUMENT, mimetype="application/json")
