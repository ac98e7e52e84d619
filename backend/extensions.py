"""Extension singletons, initialised in ``create_app``."""

from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from backend.database import Mongo

mongo = Mongo()
login_manager = LoginManager()
csrf = CSRFProtect()
