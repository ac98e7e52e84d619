"""A resource defined only for the tests, with a field of every kind, so that the
parametrized suites (tests/test_resources_api.py, the browser tests) cover what
widgets alone would not: numbers with limits, checkboxes, a custom label."""

from backend.api import BackboneResource, Checkbox, Line, Number, Text


class Tasks(BackboneResource):
    # Not "tasks": a fork may well make a resource of that name.
    collection = "sample_tasks"
    item_name = "task"
    owner_field = "owner_id"
    fields = {
        "title": Line(required=True, max_length=100),
        "notes": Text(label="Notes"),
        "priority": Number(minimum=0, maximum=5),
        "done": Checkbox(),
    }
    sort_fields = ("title", "priority", "created_at", "updated_at")
    search_field = "title"
