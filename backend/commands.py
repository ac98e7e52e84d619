"""``flask --app backend <command>``: database set-up, users and demo data."""

import click
from flask import current_app
from flask.cli import with_appcontext

from backend.assets import MANIFEST_NAME, write_manifest
from backend.auth import models as auth
from backend.extensions import mongo
from backend.mail import deliver_due
from backend.resources import RESOURCES
from backend.scaffold import FIELD_TYPES, Resource, ScaffoldError, scaffold
from backend.serialization import utc_now
from backend.settings import PROJECT_DIR
from backend.widgets import models as widgets

SEED_COUNT = 25


def register_commands(app):
    for command in (init_db, create_user, seed, send_mail, assets_manifest, scaffold_resource):
        app.cli.add_command(command)


@click.command("init-db")
def init_db():
    """Create the collections' indexes (also done on every start)."""
    mongo.ensure_indexes()
    click.echo(f"Indexes ensured in database {mongo.db.name!r}.")


@click.command("create-user")
@click.argument("email")
@click.password_option()
def create_user(email, password):
    """Create a user who can log in with EMAIL (verified: you vouch for the address)."""
    try:
        auth.create_user(email, password, verified=True)
    except auth.EmailTaken:
        raise click.ClickException(f"A user with the email {email} already exists.") from None
    click.echo(f"Created {auth.normalize_email(email)}.")


@click.command("send-mail")
def send_mail():
    """Send the outbox's messages that are due (the web processes' worker does it too)."""
    click.echo(f"Sent {deliver_due()} email(s).")


@click.command("seed")
@click.argument("email")
@click.option(
    "--count",
    default=SEED_COUNT,
    type=click.IntRange(min=0),
    show_default=True,
    help="How many widgets.",
)
def seed(email, count):
    """Give the user EMAIL some demo widgets."""
    user = mongo.db[auth.USERS].find_one({"email": auth.normalize_email(email)})
    if user is None:
        raise click.ClickException(f"No user has the email {email}; create one with create-user.")
    now = utc_now()
    documents = [
        {
            "owner_id": user["_id"],
            "name": f"Demo widget {number}",
            "description": f"Widget number {number}, made by `flask seed`.",
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for number in range(1, count + 1)
    ]
    if documents:
        mongo.db[widgets.COLLECTION].insert_many(documents)
    click.echo(f"Added {count} widgets for {user['email']}.")


@click.command("assets-manifest")
def assets_manifest():
    """Record the built files' hashes for production (run after the front-end build)."""
    manifest = current_app.config["PUBLIC_DIR"] / MANIFEST_NAME
    write_manifest(current_app.extensions["assets"], manifest)
    click.echo(f"Wrote {manifest}.")


@click.command("scaffold")
@click.argument("resource")
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME:TYPE[:required]",
    help=f"A field of the resource, TYPE one of {', '.join(FIELD_TYPES)}; repeat for each "
    "(default: name:str:required). The first str field names each item.",
)
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
@with_appcontext
def scaffold_resource(resource, fields, force):
    """Add RESOURCE (plural, like gadgets) as widgets are made: backend, tests, front end."""
    try:
        made = Resource(resource, fields)
        taken = {rule.rule.split("/")[1] for rule in current_app.url_map.iter_rules()}
        if resource in taken and resource not in RESOURCES:
            raise ScaffoldError(f"/{resource} is a page of the app already: pick another name.")
        report = scaffold(PROJECT_DIR, made, force=force)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Made {resource} ({made.singular}: {', '.join(f.name for f in made.fields)}):")
    click.echo("\n".join(report))
    click.echo(
        f"Restart `make dev` to see them at /{resource}; "
        f"the API tests are in tests/test_{resource}_api.py."
    )
