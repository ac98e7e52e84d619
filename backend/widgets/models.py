"""How widgets are stored: one document per widget, scoped to its owner."""

from pymongo import ASCENDING, DESCENDING, IndexModel

COLLECTION = "widgets"
PUBLIC_FIELDS = ("_id", "name", "description", "created_at", "updated_at", "version")
SORT_FIELDS = ("name", "created_at", "updated_at")

# Every list query is {"owner_id": ...} sorted by one field then _id, so one
# index per sort field answers it without a collection scan, in either direction.
INDEXES = [
    IndexModel([("owner_id", ASCENDING), (field, DESCENDING), ("_id", DESCENDING)])
    for field in SORT_FIELDS
]
