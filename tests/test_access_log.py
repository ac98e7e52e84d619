"""gunicorn's access log keeps the tokens of emailed links out (backend/access_log.py)."""

import pytest

from backend.access_log import redact


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        (
            "GET /password/reset/eyJ1c2VyIjo.aw9P.xyz HTTP/1.1",
            "GET /password/reset/[token] HTTP/1.1",
        ),
        ("GET /verify/.eJwNyk0K.aw9PJg.D-hw?x=1 HTTP/1.1", "GET /verify/[token]?x=1 HTTP/1.1"),
        ("https://app.example.com/verify/abc", "https://app.example.com/verify/[token]"),
        ("GET /verify/resend HTTP/1.1", "GET /verify/resend HTTP/1.1"),
        ("POST /verify HTTP/1.1", "POST /verify HTTP/1.1"),
        ("GET /password/reset HTTP/1.1", "GET /password/reset HTTP/1.1"),
        ("GET /api/widgets HTTP/1.1", "GET /api/widgets HTTP/1.1"),
    ],
)
def test_tokens_of_emailed_links_are_redacted_and_nothing_else(line, logged):
    assert redact(line) == logged
