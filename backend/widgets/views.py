"""The widgets JSON API: ``/api/widgets`` and ``/api/widgets/<id>``."""

from flask import Blueprint
from flask_login import current_user

from backend.api import BackboneResource
from backend.widgets import models
from backend.widgets.forms import WidgetForm

blueprint = Blueprint("widgets", __name__)


class WidgetResource(BackboneResource):
    collection = models.COLLECTION
    public_fields = models.PUBLIC_FIELDS
    indexes = models.INDEXES
    add_form_class = WidgetForm
    item_name = "Widget"
    sort_fields = models.SORT_FIELDS
    search_field = "name"

    def base_query(self):
        # A widget belongs to its creator; to anyone else it does not exist.
        return {"owner_id": current_user.id}


WidgetResource.register(blueprint, "/api/widgets")
