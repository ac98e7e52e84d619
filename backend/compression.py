"""Compressed responses: pages, JSON and the Brunch build, by Flask-Compress.

Every text response of at least 500 bytes goes out compressed when the
browser accepts it, with ``Vary: Accept-Encoding`` (so that a cache never
hands a compressed body to a client that cannot read it). A smaller body is
sent as it is to everyone, so it says no ``Vary`` and costs no check (most
API answers: one document). Static files are streamed by Flask, so they are
compressed as a stream (Brotli, Zstandard or deflate: Flask-Compress streams
no gzip), keeping the immutable ``Cache-Control`` of their versioned URLs
(backend/assets.py). The live changes' ``text/event-stream`` is not in the
list of types, so its events are never held back in a compressor's buffer.
"""

from flask import current_app
from flask_compress import Compress

MIMETYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]

compress = Compress()


def init_compression(app):
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config["COMPRESS_REGISTER"] = False  # registered below, for what it may compress
    compress.init_app(app)
    app.after_request(compress_unless_small)


def compress_unless_small(response):
    """Flask-Compress's after_request, for a body it could compress."""
    length = response.content_length
    if length is not None and length < current_app.config["COMPRESS_MIN_SIZE"]:
        return response
    return compress.after_request(response)
