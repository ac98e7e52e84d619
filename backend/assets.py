"""Cache-busted URLs of the Brunch build, through webassets.

Brunch writes ``public/static/``; each bundle here names one of its outputs,
and ``asset_url("app_js")`` in a template gives ``/static/app.js?<hash>``.
In production the hashes come from a manifest made once at build time
(``flask --app backend assets-manifest``), so serving needs no writable
folder; in development they are read from the files, which Brunch rewrites.
"""

from flask import request
from webassets import Bundle, Environment
from webassets.bundle import wrap

BUNDLES = {
    "vendor_js": "vendor.js",
    "app_js": "app.js",
    "app_css": "app.css",
    # In <head> of every page: the light or dark theme before the first paint.
    "theme_js": "theme.js",
    # /api/docs (backend/api/views.py)
    "docs_js": "docs/swagger-ui.js",
    "docs_css": "docs/swagger-ui.css",
    "docs_init": "docs/init.js",
}
MANIFEST_NAME = "webassets-manifest.json"
IMMUTABLE = "public, max-age=31536000, immutable"


def init_assets(app):
    public_dir = app.config["PUBLIC_DIR"]
    manifest = public_dir / MANIFEST_NAME
    use_manifest = app.config["APP_ENV"] == "production" and manifest.exists()
    environment = Environment(
        directory=str(public_dir / "static"),
        url=app.static_url_path,
        versions="hash",
        manifest=f"json:{manifest}" if use_manifest else False,
        auto_build=False,
        cache=False,
    )
    for name, filename in BUNDLES.items():
        # Brunch already built the file: the bundle only names it.
        environment.register(name, Bundle(filename, output=filename))

    def asset_url(name):
        """The bundle's versioned URL, or None before the front end is built."""
        bundle = environment[name]
        if use_manifest:
            return bundle.urls()[0]
        if not (public_dir / "static" / BUNDLES[name]).exists():
            return None
        return _fresh_url(bundle)

    app.jinja_env.globals["asset_url"] = asset_url
    app.extensions["assets"] = environment
    app.after_request(_cache_versioned_assets)


def _fresh_url(bundle):
    bundle.get_version(refresh=True)
    return bundle.urls()[0]


def write_manifest(environment, manifest_path):
    """Record each bundle's content hash, so production never hashes at run time."""
    environment.manifest = f"json:{manifest_path}"
    for bundle in environment:
        context = wrap(environment, bundle)
        environment.manifest.remember(bundle, context, bundle.get_version(refresh=True))


def _cache_versioned_assets(response):
    if request.endpoint == "static" and request.query_string and response.status_code == 200:
        response.headers["Cache-Control"] = IMMUTABLE
    return response
