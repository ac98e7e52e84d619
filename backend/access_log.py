"""gunicorn's access log without the tokens of emailed links.

An emailed link (``/password/reset/<token>``, ``/verify/<token>``) carries its
token in the path only for its first request, which moves it into the session
and redirects to a URL without it (see backend/auth/views.py); this logger
keeps that first request's token out of the log too:
``gunicorn --logger-class backend.access_log.RedactingLogger``.
"""

import re

from gunicorn.glogging import Logger

TOKEN_IN_PATH = re.compile(r"(/password/reset/|/verify/)(?!resend(?:[\s?#]|$))[^\s?#/]+")
REDACTED = r"\1[token]"


def redact(text):
    return TOKEN_IN_PATH.sub(REDACTED, text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
