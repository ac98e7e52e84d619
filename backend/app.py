"""The application factory."""

import logging

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from backend import commands, errors
from backend.account.views import blueprint as account_blueprint
from backend.api.resource import ObjectIdConverter
from backend.api.views import blueprint as api_blueprint
from backend.assets import init_assets
from backend.auth.views import blueprint as auth_blueprint
from backend.compression import init_compression
from backend.extensions import csrf, login_manager, mongo
from backend.live import init_live
from backend.mail import init_mail
from backend.pages.views import blueprint as pages_blueprint
from backend.resources import check_resource_routes, register_resources, registered
from backend.security import init_security
from backend.serialization import MongoJSONProvider
from backend.session_cookie import CheckedOnceSessionInterface
from backend.settings import load_settings


def create_app(settings=None, resources=None):
    """Make the Flask app; ``settings`` override what the environment says, and
    ``resources`` (classes) the ones ``backend/resources/__init__.py`` registers."""
    config = load_settings(settings)
    app = Flask(
        __name__,
        static_folder=config["PUBLIC_DIR"] / "static",
        static_url_path="/static",
    )
    app.config.update(config)
    app.json = MongoJSONProvider(app)
    app.session_interface = CheckedOnceSessionInterface()
    app.url_map.converters["objectid"] = ObjectIdConverter
    register_templates(app)
    register_extensions(app)
    register_resources(app, registered() if resources is None else resources)
    init_live(app)  # /api/events, after the resources it reports on
    register_blueprints(app)
    check_resource_routes(app)
    errors.register_errorhandlers(app)
    init_security(app)
    commands.register_commands(app)
    configure_logging(app)
    trust_proxies(app)
    return app


def register_templates(app):
    # Brunch copies frontend/app/assets/index.html into public/; Flask renders
    # it as a Jinja template beside the server-side pages in backend/templates.
    app.jinja_loader = ChoiceLoader(
        [FileSystemLoader(app.config["PUBLIC_DIR"]), FileSystemLoader(app.root_path + "/templates")]
    )


def register_extensions(app):
    mongo.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    # Flask-Login's "session protection" hashes the client's address and user
    # agent on every request, only to mark the session "not fresh" when they
    # change (what a stored, permanent session can only do); no view asks for
    # freshness, and the stored session is what logout, timeouts and "log out
    # others" end. Off (and not even computed: backend/extensions.py), the
    # cookie is not re-signed and re-sent on each request.
    login_manager.session_protection = None
    login_manager.unauthorized_handler(errors.unauthorized)
    init_assets(app)
    init_mail(app)
    init_compression(app)


def register_blueprints(app):
    for blueprint in (
        pages_blueprint,
        auth_blueprint,
        account_blueprint,
        api_blueprint,
    ):
        app.register_blueprint(blueprint)


def trust_proxies(app):
    """Behind TRUSTED_PROXIES proxies (a TLS-terminating one, say), read the client's
    address, scheme, host and port from the X-Forwarded-* headers, trusting only the
    values those proxies add (so each of them must set all four)."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def configure_logging(app):
    if not app.debug:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
