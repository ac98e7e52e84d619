"""Logged-in users working on their own widgets: list, get, create, update, delete."""

import itertools
import re

from locust import HttpUser, between, task

PASSWORD = "load test password"  # throwaway users of a throwaway database  # noqa: S105  # nosec B105
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
NUMBERS = itertools.count()  # each simulated user logs in to an account of its own


def email_of(number):
    """The accounts loadtest/run.py makes, verified, before locust starts."""
    return f"load-{number}@example.com"


class WidgetUser(HttpUser):
    wait_time = between(0.05, 0.2)

    def on_start(self):
        page = self.client.get("/login").text
        form = {"email": email_of(next(NUMBERS)), "password": PASSWORD}
        self.client.post("/login", data={**form, "csrf_token": TOKEN.search(page)[1]})
        token = TOKEN.search(self.client.get("/login").text)[1]
        self.client.headers["X-CSRFToken"] = token
        self.widgets = []
        for _ in range(3):
            self.create()

    @task(4)
    def list(self):
        self.client.get("/api/widgets?sort=-updated_at", name="/api/widgets [list]")

    @task(3)
    def get(self):
        if self.widgets:
            self.client.get(
                f"/api/widgets/{self.widgets[0]['_id']}", name="/api/widgets/<id> [get]"
            )

    @task(2)
    def create(self):
        response = self.client.post("/api/widgets", json={"name": "Load", "description": "x" * 200})
        if response.status_code == 201:
            self.widgets.append(response.json())

    @task(2)
    def update(self):
        if self.widgets:
            widget = self.widgets.pop(0)
            response = self.client.put(
                f"/api/widgets/{widget['_id']}",
                json={**widget, "name": f"Load {widget['version']}"},
                name="/api/widgets/<id> [put]",
            )
            if response.status_code == 200:
                self.widgets.append(response.json())

    @task(1)
    def delete(self):
        if len(self.widgets) > 1:
            widget = self.widgets.pop()
            self.client.delete(f"/api/widgets/{widget['_id']}", name="/api/widgets/<id> [delete]")
