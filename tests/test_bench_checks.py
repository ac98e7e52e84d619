"""The benchmark refuses to time a server that answers the wrong thing (bench/load.py).

A short page or a non-2xx answer must stop `make bench` (BenchError, a
non-zero exit), not end up as a fast figure in docs/benchmarks.md. The
server here is a real HTTP server answering a fixed page.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from load import BenchError, check_answers, check_lists

PAGE = [f"{i:024x}" for i in range(20)]


def serve(items):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"items": [{"_id": i} for i in items]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def bench_server(request):
    http = serve(request.param)
    yield SimpleNamespace(
        key="x", label="server x", base=f"http://127.0.0.1:{http.server_port}",
        path="/widgets", list_query="", items_key="items", headers=dict,
    )  # fmt: skip
    http.shutdown()


@pytest.mark.parametrize("bench_server", [PAGE], indirect=True)
def test_a_full_page_of_the_floors_ids_passes(bench_server):
    check_lists([bench_server], PAGE)


@pytest.mark.parametrize("bench_server", [PAGE[:5], PAGE[::-1]], indirect=True)
def test_a_short_or_reordered_page_stops_the_bench(bench_server):
    with pytest.raises(BenchError, match="not the floor's page"):
        check_lists([bench_server], PAGE)


def wrk_result(**errors):
    counts = {"requests": 100, "non2xx": 0, "first_non2xx": 0, "errors_connect": 0,
              "errors_read": 0, "errors_write": 0, "errors_timeout": 0}  # fmt: skip
    return {**counts, **errors}


def test_a_run_of_2xx_answers_passes():
    check_answers(SimpleNamespace(label="x", key="x"), "get", wrk_result())


@pytest.mark.parametrize(
    "errors",
    [{"non2xx": 3, "first_non2xx": 404}, {"errors_timeout": 1}, {"requests": 0}],
)
def test_an_error_answer_or_no_answer_stops_the_bench(errors):
    with pytest.raises(BenchError):
        check_answers(SimpleNamespace(label="x", key="x"), "get", wrk_result(**errors))
