"""Forking: `make rename` and `flask --app backend scaffold`, as a user runs them.

A copy of the repository (its files, with node_modules and .venv linked, not
installed again) is renamed and given two resources; then the generated API
and browser tests run there, against the generated app built and served as
the browser tests always are, and the generated code goes through the linters.
The refusals run in-process against this repository, which they leave as it is.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from backend.scaffold import Resource, ScaffoldError, scaffold

ROOT = Path(__file__).resolve().parent.parent
NAME = "my-shop"
RESOURCES = {
    "gadgets": ["name:str:required", "price:int"],
    "parts": ["title:str:required", "notes:text", "quantity:int", "in_stock:bool"],
}
# What `make rename NAME=my-shop` must have changed, file by file.
RENAMED = {
    "README.md": "# My Shop\n",
    "backend/settings.py": 'APP_NAME = "My Shop"',
    ".env.example": "MONGO_DATABASE=my_shop",
    "docker-compose.yml": "${MONGO_DATABASE:-my_shop}",
}
# Leaves the subprocesses alone: no coverage of another checkout's code.
ENVIRONMENT = {key: value for key, value in os.environ.items() if not key.startswith("COV_")}


def run(command, cwd, **env):
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**ENVIRONMENT, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result


def check(command, cwd, **env):
    result = run(command, cwd, **env)
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def copy_of_the_repository(destination):
    listed = check(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    for installed in ("node_modules", ".venv"):
        (destination / installed).symlink_to(ROOT / installed)
    return destination


@pytest.fixture(scope="module")
def fork(tmp_path_factory):
    """The copy, renamed once, with the resources scaffolded; yields (path, outputs)."""
    if not (ROOT / "node_modules").is_dir():
        pytest.fail("node_modules is missing: run `make install` first.")
    project = copy_of_the_repository(tmp_path_factory.mktemp("fork"))
    outputs = {"rename": check(["make", "--no-print-directory", "rename", f"NAME={NAME}"], project)}
    flask = str(project / ".venv" / "bin" / "flask")
    for resource, fields in RESOURCES.items():
        options = [option for field in fields for option in ("--field", field)]
        outputs[resource] = check(
            [flask, "--app", "backend", "scaffold", resource, *options],
            project,
            APP_ENV="test",
        )
    return project, outputs


def generated_files(project):
    paths = []
    for resource, fields in RESOURCES.items():
        paths += Resource(resource, fields).files()
    return [project / path for path in paths]


# Rename -------------------------------------------------------------------------


def test_rename_changes_the_name_wherever_users_see_it_and_says_so(fork):
    project, outputs = fork

    for file, expected in RENAMED.items():
        assert expected in (project / file).read_text(), file
        assert f"  {file}: " in outputs["rename"]
    assert json.loads((project / "package.json").read_text())["name"] == NAME
    lock = json.loads((project / "package-lock.json").read_text())
    assert lock["name"] == lock["packages"][""]["name"] == NAME
    assert f"    image: {NAME}\n" in (project / "docker-compose.yml").read_text()
    assert 'DEFAULT_DATABASE = "my_shop"' in (project / "backend/settings.py").read_text()
    assert f'name = "{NAME}"' in (project / "pyproject.toml").read_text()


def test_rename_is_safe_to_run_twice_and_back(fork, tmp_path):
    project, _ = fork
    before = {file: (project / file).read_text() for file in RENAMED}

    again = check(["python3", "scripts/rename.py", NAME], project)

    assert "nothing to change" in again
    assert {file: (project / file).read_text() for file in RENAMED} == before

    # Renamed back, a copy is the repository it came from again.
    copy = tmp_path / "copy"
    shutil.copytree(project, copy, symlinks=True, ignore=shutil.ignore_patterns("var", "public"))
    check(["python3", "scripts/rename.py", "flaskbone"], copy)
    for file in (*RENAMED, "package.json", "package-lock.json", "uv.lock", "Makefile"):
        assert (copy / file).read_text() == (ROOT / file).read_text(), file


@pytest.mark.parametrize("name", ["My App", "my_app", "1app", "app-", "a", "a--b", "x" * 40, ""])
def test_rename_refuses_a_bad_name_and_changes_nothing(name):
    before = (ROOT / "package.json").read_text()

    result = run(["python3", "scripts/rename.py", name], ROOT)

    assert result.returncode == 2
    assert "lowercase letters, digits and single hyphens" in result.stderr
    assert (ROOT / "package.json").read_text() == before


# Scaffold -----------------------------------------------------------------------


def test_scaffold_registers_each_resource_once_and_reports_what_it_made(fork):
    project, outputs = fork

    assert "created backend/gadgets/views.py" in outputs["gadgets"]
    assert "registered in frontend/app/routes.js" in outputs["gadgets"]
    resources = (project / "backend/resources.py").read_text()
    assert re.search(r'RESOURCES = \[\n    "widgets",\n    "gadgets",\n    "parts",\n\]', resources)
    routes = (project / "frontend/app/routes.js").read_text()
    assert routes.count("match('gadgets/:id', 'gadgets#show');") == 1
    site = (project / "frontend/app/templates/site.hbs").read_text()
    assert '<a href="/parts">Parts</a>' in site


def test_generated_code_passes_the_linters(fork):
    project, _ = fork
    files = [str(path) for path in generated_files(project)]
    python = [path for path in files if path.endswith(".py")]
    javascript = [path for path in files if path.endswith(".js")]
    styles = [path for path in files if path.endswith(".css")]
    ruff = str(project / ".venv" / "bin" / "ruff")
    bin_dir = project / "node_modules" / ".bin"

    check([ruff, "check", *python], project)
    check([ruff, "format", "--check", *python], project)
    check([str(bin_dir / "eslint"), *javascript], project)
    check([str(bin_dir / "prettier"), "--check", *javascript, *styles], project)


def test_generated_api_and_browser_tests_pass_against_the_generated_app(fork, mongo_uri):
    project, _ = fork
    # node_modules is a link: keep its path, so Brunch finds the Handlebars
    # runtime inside the project, where it looks.
    check(["npm", "run", "build"], project, NODE_PRESERVE_SYMLINKS="1")
    tests = [f"tests/test_{name}_api.py" for name in RESOURCES]
    tests += [f"tests/browser/test_{name}_ui.py" for name in RESOURCES]

    result = run(
        [str(project / ".venv" / "bin" / "pytest"), "-q", "-p", "no:cacheprovider", *tests],
        project,
        MONGO_URI=mongo_uri,
    )

    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " skipped" not in result.stdout, result.stdout[-2000:]


def test_scaffold_refuses_to_overwrite_files_unless_forced(fork):
    project, _ = fork
    views = project / "backend/gadgets/views.py"
    views.write_text(views.read_text() + "# mine\n")

    with pytest.raises(ScaffoldError, match="exist already"):
        scaffold(project, Resource("gadgets", RESOURCES["gadgets"]))
    assert views.read_text().endswith("# mine\n")

    report = scaffold(project, Resource("gadgets", RESOURCES["gadgets"]), force=True)

    assert "  overwrote backend/gadgets/views.py" in report
    assert not views.read_text().endswith("# mine\n")
    assert (project / "frontend/app/routes.js").read_text().count("'gadgets#index'") == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["widgets"], "exist already"),
        (["Gadgets"], "plural noun in lowercase"),
        (["gadget"], "ending in s"),
        (["settings"], "part of the app already"),
        (["pages"], "part of the app already"),
        (["gadgets", "--field", "price:float"], "the type is one of"),
        (["gadgets", "--field", "class:str"], "a field name is"),
        (["gadgets", "--field", "Name:str"], "a field name is"),
        (["gadgets", "--field", "version:int"], "taken by every resource"),
        (["gadgets", "--field", "price:int:required"], "only str and text fields"),
        (["gadgets", "--field", "name:str:unique"], "only 'required'"),
        (["gadgets", "--field", "price:int"], "needs a str field"),
        (["gadgets", "--field", "name", "--field", "name:text"], "a name of its own"),
    ],
)
def test_scaffold_refuses_what_it_cannot_make_and_writes_nothing(app, arguments, message):
    registrations = [ROOT / "backend/resources.py", ROOT / "frontend/app/routes.js"]
    before = [path.read_text() for path in registrations]

    result = app.test_cli_runner().invoke(args=["scaffold", *arguments])

    assert result.exit_code == 1, result.output
    assert message in result.output
    assert not (ROOT / "backend" / "gadgets").exists()
    assert [path.read_text() for path in registrations] == before


def test_scaffold_derives_singular_names():
    for plural, singular in [("gadgets", "gadget"), ("categories", "category"), ("boxes", "box")]:
        assert Resource(plural).singular == singular
        assert Resource(plural).fields[0].name == "name"


def test_scaffold_writes_nothing_when_it_cannot_register_the_resource(tmp_path):
    for file in ("backend/resources.py", "frontend/app/routes.js"):
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / file, tmp_path / file)
    site = tmp_path / "frontend/app/templates/site.hbs"
    site.parent.mkdir(parents=True)
    site.write_text("<header>A header of its own, without the sections</header>\n")

    with pytest.raises(ScaffoldError, match="Could not find where to register gadgets"):
        scaffold(tmp_path, Resource("gadgets"))
    assert not (tmp_path / "backend/gadgets").exists()
    assert (tmp_path / "backend/resources.py").read_text() == (
        ROOT / "backend/resources.py"
    ).read_text()
