"""The ``scaffold`` command of ``flask``, a plugin command that needs no app.

pyproject.toml registers it in the ``flask.commands`` entry-point group, so
``flask`` finds it before it would load the app: it runs on a fresh clone with
no ``.env`` and no SECRET_KEY (``--app backend`` is accepted and unused). The
project itself is installed in .venv (editable) to carry that entry point; the
Docker image installs only requirements.txt, so it has neither the command
nor devtools.
"""

from pathlib import Path

import click

from devtools.scaffold import FIELD_TYPES, Resource, ScaffoldError, find_project, scaffold


@click.command("scaffold")
@click.argument("resource")
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME:TYPE[:required]",
    help=f"A field of the resource, TYPE one of {', '.join(FIELD_TYPES)}; repeat for each "
    "(default: name:str:required). The first str field names each item and is searched.",
)
@click.option(
    "--with-overrides",
    "overrides",
    is_flag=True,
    help="Also write frontend/app/resources/RESOURCE.js, the module of front-end overrides.",
)
@click.option("--force", is_flag=True, help="Overwrite files that exist already.")
def scaffold_command(resource, fields, overrides, force):
    """Declare RESOURCE (a plural, like gadgets): backend/resources/RESOURCE.py, registered."""
    try:
        made = Resource(resource, fields)
        project = find_project(Path.cwd())
        report = scaffold(project, made, force=force, overrides=overrides)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Made {resource} ({made.singular}: {', '.join(f.name for f in made.fields)}):")
    click.echo("\n".join(report))
    click.echo(
        f"Restart `make dev` to see them at /{resource}; the API and browser suites "
        f"test them already. Edit {made.declaration_path} to change labels, limits and more."
    )
