"""Responses go out compressed (backend/compression.py), the event stream not."""

import gzip

import brotli
import pytest

VENDOR = "/* vendor */\n" + "var a = 'the same line again and again';\n" * 200


@pytest.fixture
def public_dir(tmp_path):
    public = tmp_path / "public"
    (public / "static").mkdir(parents=True)
    (public / "index.html").write_text("<!doctype html><p>{{ 'x' * 2000 }}</p>")
    for name in ("app.js", "app.css", "theme.js"):
        (public / "static" / name).write_text("/* */\n")
    (public / "static" / "vendor.js").write_text(VENDOR)
    return public


@pytest.fixture
def settings(settings, public_dir):
    return {**settings, "PUBLIC_DIR": str(public_dir)}


def test_static_assets_are_served_compressed_and_still_cached_forever(client):
    response = client.get("/static/vendor.js?0123abcd", headers={"Accept-Encoding": "gzip, br"})

    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert brotli.decompress(response.get_data()).decode() == VENDOR


@pytest.mark.parametrize("path", ["/login", "/api/openapi.json"])
def test_pages_and_json_are_compressed_for_clients_that_accept_it(client, path):
    compressed = client.get(path, headers={"Accept-Encoding": "gzip"})
    plain = client.get(path, headers={"Accept-Encoding": "identity"})

    assert compressed.headers["Content-Encoding"] == "gzip"
    # The same page (the login form's CSRF token differs, not its length).
    assert len(gzip.decompress(compressed.get_data())) == len(plain.get_data())
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]


def test_a_compressed_answer_to_a_logged_in_user_varies_by_encoding_and_cookie(alice):
    for number in range(5):
        alice.post("/api/widgets", json={"name": f"Widget {number}", "description": "x" * 100})

    response = alice.client.get("/api/widgets", headers={"Accept-Encoding": "gzip"})

    assert response.headers["Content-Encoding"] == "gzip"
    assert {"Accept-Encoding", "Cookie"} <= {value.strip() for value in response.vary}


def test_the_event_stream_is_never_compressed(alice):
    response = alice.client.get(
        "/api/events", headers={"Accept-Encoding": "gzip, br, zstd"}, buffered=False
    )
    try:
        assert response.mimetype in ("text/event-stream", "application/json")
        assert "Content-Encoding" not in response.headers
    finally:
        response.close()


def test_a_body_too_small_to_compress_goes_out_as_it_is_without_vary(alice):
    widget = alice.post("/api/widgets", json={"name": "Small"}).get_json()
    response = alice.get(f"/api/widgets/{widget['_id']}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert len(response.data) < 500
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" not in response.headers.get("Vary", "")
