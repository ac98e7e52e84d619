"""``flask --app backend <command>``: database set-up, users and demo data."""

import click
from flask import current_app

from backend.assets import MANIFEST_NAME, write_manifest
from backend.auth import activity, passkeys, twofactor
from backend.auth import models as auth
from backend.extensions import mongo
from backend.mail import deliver_due
from backend.serialization import utc_now

SEED_COUNT = 25


def register_commands(app):
    for command in (init_db, create_user, reset_two_factor, seed, send_mail, assets_manifest):
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


@click.command("reset-two-factor")
@click.argument("email")
def reset_two_factor(email):
    """Turn EMAIL's two-factor login off (app, recovery codes, passkeys), for an owner who
    lost them all and proved who they are to you: a password reset never does it."""
    user = auth.find_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user has the email {email}.")
    twofactor.disable_totp(user["_id"])
    twofactor.forget_recovery_codes(user["_id"])
    passkeys.forget(user["_id"])
    auth.end_sessions(user["_id"])
    activity.record(user["_id"], "two_factor_reset")
    click.echo(f"Two-factor login is off for {user['email']}, and every session has ended.")


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
    help="How many documents of each resource.",
)
def seed(email, count):
    """Give the user EMAIL some demo documents of each resource they can own."""
    user = mongo.db[auth.USERS].find_one({"email": auth.normalize_email(email)})
    if user is None:
        raise click.ClickException(f"No user has the email {email}; create one with create-user.")
    for resource in current_app.extensions["resources"].values():
        owner = resource.owner_query(user["_id"])
        if owner is None:
            continue
        documents = [demo_document(resource, owner, number) for number in range(1, count + 1)]
        if documents:
            mongo.db[resource.collection].insert_many(documents)
        click.echo(f"Added {count} {resource.name} for {user['email']}.")


def demo_document(resource, owner, number):
    now = utc_now()
    values = {name: field.sample(number) for name, field in resource.fields.items()}
    values[resource.title_field] = f"Demo {resource.item_name} {number}"
    return {**owner, **values, "created_at": now, "updated_at": now, "version": 1}


@click.command("assets-manifest")
def assets_manifest():
    """Record the built files' hashes for production (run after the front-end build)."""
    manifest = current_app.config["PUBLIC_DIR"] / MANIFEST_NAME
    write_manifest(current_app.extensions["assets"], manifest)
    click.echo(f"Wrote {manifest}.")
