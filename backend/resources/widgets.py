"""Widgets: the worked example of a resource (see ``backend/api/resource.py``)."""

from backend.api import BackboneResource, Line, Text


class Widgets(BackboneResource):
    collection = "widgets"
    item_name = "widget"
    owner_field = "owner_id"
    fields = {
        "name": Line(required=True, max_length=100),
        "description": Text(max_length=2000),
    }
    sort_fields = ("name", "created_at", "updated_at")
    search_field = "name"
