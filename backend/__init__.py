"""Flaskbone: a Flask + MongoDB JSON API for Backbone.sync, with bcrypt login."""

from backend.app import create_app

__all__ = ["create_app"]
