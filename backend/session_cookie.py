"""Flask's signed session cookie, its signature checked once per value.

A browser sends the same session cookie with every request until the session
changes, and Flask checks its signature each time: an HMAC over the
base64-encoded, compressed JSON, with a key derived anew from ``SECRET_KEY``.
What the check says is fixed by the value and the app's keys, so this
interface remembers, per process, the values it has checked (a bounded
table: value -> what it holds and when it was signed). The age limit
(``PERMANENT_SESSION_LIFETIME``) is still applied on every request, and a value
never seen before, tampered with or signed with another key is checked in full,
exactly as Flask does. Whether the login it names is still live is not the
cookie's to say: the stored session is looked up as before (backend/auth).
An unchanged session, the common case, is answered with ``Vary: Cookie`` and
nothing more, as Flask would after its lookups of cookie settings.
"""

import copy
import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature


class CheckedOnceSessionInterface(SecureCookieSessionInterface):
    #: Values remembered per process; when full, the table starts again.
    max_remembered = 2048

    def __init__(self):
        self._checked = {}

    def open_session(self, app, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (value, app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        checked = self._checked.get(key)
        if checked is None:
            try:
                data, signed_at = self.get_signing_serializer(app).loads(
                    value, max_age=max_age, return_timestamp=True
                )
            except BadSignature:  # tampered with, another key's, or too old
                return self.session_class()
            checked = (data, int(signed_at.timestamp()), all(map(_immutable, data.values())))
            if len(self._checked) >= self.max_remembered:
                self._checked.clear()
            self._checked[key] = checked
        data, signed_at, flat = checked
        if int(time.time()) - signed_at > max_age:  # itsdangerous's own test of age
            return self.session_class()
        # A copy: the request may change its session. The session class copies
        # the top level, enough for a logged-in API call's strings and flags; a
        # half-done login or setup holds a dict, which a request may change.
        return self.session_class(data if flat else copy.deepcopy(data))

    def save_session(self, app, session, response):
        # Flask's own first test, before its seven lookups of cookie settings:
        # an unchanged session (with SESSION_REFRESH_EACH_REQUEST off) sends nothing.
        if not self.should_set_cookie(app, session):
            if session.accessed:
                vary_on_cookie(response)
            return
        super().save_session(app, session, response)


def vary_on_cookie(response):
    # response.vary parses the header into a set and writes it back; most
    # answers have no Vary yet (a small body is not compressed), so set it.
    if "Vary" in response.headers:
        response.vary.add("Cookie")
    else:
        response.headers["Vary"] = "Cookie"


def _immutable(value):
    return value is None or isinstance(value, str | bytes | int | float | bool)
