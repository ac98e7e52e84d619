"""Extension singletons, initialised in ``create_app``."""

import flask_login
from flask_wtf.csrf import CSRFProtect

from backend.database import Mongo


class LoginManager(flask_login.LoginManager):
    """Flask-Login's, with its session protection off for good (see ``register_extensions``).

    Flask-Login hashes the client's address and user agent on every request
    before it looks whether protection is on; this skips that work. Its
    ``_session_protection_failed`` is private: read it again on an upgrade.
    """

    def _session_protection_failed(self):
        return False


mongo = Mongo()
login_manager = LoginManager()
csrf = CSRFProtect()
