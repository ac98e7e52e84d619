def test_widget_round_trip(alice):
    r = alice.post("/api/widgets", json={"name": " Sprocket ", "description": "x"})
    assert r.status_code == 201, r.get_json()
    w = r.get_json()
    assert w["name"] == "Sprocket" and w["version"] == 1
    assert r.headers["Location"] == f"/api/widgets/{w['_id']}"
    g = alice.get(r.headers["Location"])
    assert g.get_json() == w
    p = alice.put(r.headers["Location"], json={**w, "name": "B"})
    assert p.status_code == 200 and p.get_json()["version"] == 2
    c = alice.put(r.headers["Location"], json={**w, "name": "C"})
    assert c.status_code == 409, c.get_json()
    l = alice.get("/api/widgets")
    assert l.get_json()["total"] == 1
    assert alice.delete(r.headers["Location"]).status_code == 204
