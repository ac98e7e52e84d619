"""MongoDB access: one pymongo client per app and process, indexes ensured on first use."""

from flask import current_app
from pymongo import MongoClient

from backend.process import PerProcess
from backend.settings import DATABASE_TIMEOUT_MS, ConfigError

# How long a change stream's reader pauses after a getMore that brought nothing.
# mongod answers one only after its maxAwaitTimeMS, but some servers (the
# embedded SecantusDB) answer after every write to any collection: without a
# pause, each write would cost every reader a round trip. A change made
# meanwhile comes with the next getMore, well within the second we promise.
QUIET_STREAM_PAUSE = 0.1


class Mongo:
    """Flask extension: ``mongo.db`` is the app's database.

    Features declare their indexes with :meth:`add_indexes` (an app's resources
    with ``app.extensions["mongo"].add_indexes``); each process
    ensures them the first time it uses the database, so the app starts even
    while MongoDB is down and recovers once it is back.
    """

    def __init__(self):
        self.index_specs = {}

    def init_app(self, app):
        uri = app.config["MONGO_URI"]
        if not uri and app.config["APP_ENV"] == "production":
            raise ConfigError("MONGO_URI is not set: production needs a MongoDB server.")
        if not uri and not embedded_server_available():
            raise ConfigError(
                "MONGO_URI is not set and the embedded development database is missing "
                "(devtools/ is not there, as in the Docker image). Set MONGO_URI to a "
                "MongoDB server, or run from a checkout after `make install`."
            )
        # A copy: the indexes of an app's resources are that app's alone (tests
        # make hundreds of apps, some with resources of their own).
        index_specs = {name: list(indexes) for name, indexes in self.index_specs.items()}
        app.extensions["mongo"] = Connection(
            uri, app.config["MONGO_DATABASE"], index_specs, app.config["VAR_DIR"]
        )

    def add_indexes(self, collection, indexes):
        """Declare the ``pymongo.IndexModel`` s that ``collection`` needs, in every app."""
        self.index_specs.setdefault(collection, []).extend(indexes)

    @property
    def db(self):
        return current_app.extensions["mongo"].db

    def ensure_indexes(self):
        current_app.extensions["mongo"].ensure_indexes(self.db)

    def ping(self):
        self.db.command("ping")


class Connection:
    """One app's client, made lazily and anew after a fork: pymongo clients
    must not cross one, and gunicorn forks its workers from the master."""

    def __init__(self, uri, database_name, index_specs, var_dir):
        self.uri = uri
        self.var_dir = var_dir
        self.database_name = database_name
        self.index_specs = index_specs
        self._db = PerProcess(self._connect)

    @property
    def db(self):
        return self._db.get()

    @property
    def connected(self):
        """The database if this process holds an open client of it, else None."""
        return self._db.peek()

    def _connect(self):
        # No MONGO_URI outside production: the embedded server, started on first use.
        self.uri = self.uri or embedded_server_uri(self.var_dir)
        client = MongoClient(
            self.uri,
            tz_aware=True,
            serverSelectionTimeoutMS=DATABASE_TIMEOUT_MS,
            connectTimeoutMS=DATABASE_TIMEOUT_MS,
        )
        db = client[self.database_name]
        try:
            self.ensure_indexes(db)
        except Exception:
            client.close()
            raise
        return db

    def add_indexes(self, collection, indexes):
        """Declare indexes that this app alone needs (those of its resources)."""
        self.index_specs.setdefault(collection, []).extend(indexes)

    def ensure_indexes(self, db):
        for collection, indexes in self.index_specs.items():
            db[collection].create_indexes(indexes)

    def close(self):
        if self.connected is not None:
            self.connected.client.close()
        self._db.reset()


# The embedded server is a development tool: devtools/ and SecantusDB are not in
# the Docker image, where MONGO_URI is required, so they are imported only here.
def embedded_server_available():
    try:
        import devtools.embedded_mongo  # noqa: F401
    except ModuleNotFoundError:
        return False
    return True


def embedded_server_uri(var_dir):
    from devtools.embedded_mongo import shared_server_uri

    return shared_server_uri(var_dir)
