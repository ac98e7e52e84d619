# ruff: noqa: S105
# (S105: the benchmark users' password is no secret.)
"""The benchmark's users and widgets: logged in through the HTML forms, seeded directly."""

import datetime as dt
import re

import requests
from bson import ObjectId

PASSWORD = "bench password 1234"


def widget_documents(owner, count, prefix="Widget", start=None):
    """``count`` widgets of ``owner``, one second apart (so their order is known)."""
    start = start or dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    docs = []
    for i in range(count):
        at = start + dt.timedelta(seconds=i)
        docs.append(
            {
                "_id": ObjectId(),
                "owner_id": owner,
                "name": f"{prefix} {i:06d}",
                "description": f"Description of {prefix.lower()} {i}. " * 3,
                "created_at": at,
                "updated_at": at,
                "version": 1,
            }
        )
    return docs


def insert_batched(collection, documents, batch=1000):
    for i in range(0, len(documents), batch):
        collection.insert_many(documents[i : i + batch], ordered=False)


def write_ids(path, ids):
    """A file of ids, one a line, for the wrk script."""
    path.write_text("".join(f"{i}\n" for i in ids))
    return path


# Logging in as a person does ------------------------------------------------------


def csrf_from(html):
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match.group(1)


def register(base, email, db):
    """Register through the HTML forms as a person does: (Cookie header, CSRF token).

    Registering logs nobody in: the account is verified by its emailed link,
    which a production server without SMTP_HOST never sends, so the harness
    marks the account verified itself, then logs in through the login form.
    """
    call = _browser(base)
    page = call("GET", "/register")
    form = {
        "email": email,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": csrf_from(page.text),
    }
    response = call("POST", "/register", data=form)
    if response.status_code != 200 or db.users.count_documents({"email": email}) != 1:
        raise RuntimeError(f"registration failed: {response.status_code} {response.text[:300]}")
    db.users.update_one({"email": email}, {"$set": {"email_verified": True}})
    return _log_in(call, email)


def another_user(base, email, db, like):
    """Another verified account with the password of ``like`` (its bcrypt hash
    copied), logged in through the form: (Cookie header, CSRF token). Hundreds
    registered from one address would meet the throttle of registrations."""
    model = db.users.find_one({"email": like})
    db.users.insert_one(
        {
            "email": email,
            "password_hash": model["password_hash"],
            "email_verified": True,
            "created_at": model["created_at"],
            "last_login_at": None,
        }
    )
    return _log_in(_browser(base), email)


def _browser(base):
    """A request function that keeps its cookies (production cookies are Secure,
    so the harness keeps them itself over http); its jar is ``call.jar``."""
    jar = {}

    def call(method, path, **kwargs):
        headers = {"Cookie": _cookie_header(jar)} if jar else {}
        response = requests.request(
            method, base + path, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]
        return response

    call.jar = jar
    return call


def _cookie_header(jar):
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _log_in(call, email):
    login = {
        "email": email,
        "password": PASSWORD,
        "csrf_token": csrf_from(call("GET", "/login").text),
    }
    response = call("POST", "/login", data=login)
    if response.status_code != 302:
        raise RuntimeError(f"login failed: {response.status_code} {response.text[:300]}")
    # The index carries the token in its <meta name="csrf-token"> (the contract's promise).
    token = csrf_from(call("GET", "/").text)
    return _cookie_header(call.jar), token
