"""Blueprints, one folder per area: blueprint, routes and forms together."""
from importlib import import_module

AREAS = ["main", "auth", "orgs", "admin", "programmes", "catalogue", "family", "bookings", "checkin", "api",
         "evaluation", "feedback", "safeguarding", "incidents", "delivery", "timeline", "follow_up", "texts"]


def register_blueprints(app):
    from .params import RowIdConverter

    app.url_map.converters["int"] = RowIdConverter
    for area in AREAS:
        module = import_module(f"{__name__}.{area}")
        app.register_blueprint(module.bp)
