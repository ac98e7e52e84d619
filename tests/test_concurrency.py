"""No lost update: many simultaneous PUTs of one version, over real HTTP, one thread each."""

import threading

import requests

from tests.servers import serving

WRITERS = 24


def test_simultaneous_puts_of_one_version_let_exactly_one_win(app, alice):
    widget = alice.post("/api/widgets", json={"name": "Contested"}).get_json()
    barrier = threading.Barrier(WRITERS)
    results = [None] * WRITERS

    def put(number, url):
        session = requests.Session()
        session.cookies.set("session", alice.client.get_cookie("session").value)
        body = {**widget, "name": f"Writer {number}", "description": f"by {number}"}
        barrier.wait()
        results[number] = session.put(
            f"{url}/api/widgets/{widget['_id']}",
            json=body,
            headers={"X-CSRFToken": alice.csrf_token},
            timeout=30,
        )

    with serving(app) as url:
        threads = [threading.Thread(target=put, args=(n, url)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] + [409] * (WRITERS - 1)
    (winner,) = [r.json() for r in results if r.status_code == 200]
    assert winner["version"] == widget["version"] + 1
    assert alice.get(f"/api/widgets/{widget['_id']}").get_json() == winner
    for loser in (r.json() for r in results if r.status_code == 409):
        assert loser["current"]["version"] == winner["version"]
