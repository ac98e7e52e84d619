"""Forking: `make rename` and `flask --app backend scaffold`, as a user runs them.

A copy of the repository (its files, with node_modules and .venv linked, not
installed again, and no .env, as in a fresh clone) is renamed and given two
resources by the real command lines. Then, in the copy, the renamed lock and
requirements.txt are checked as the tests check them, and the parametrized
API and browser suites run against the scaffolded resources: a new resource
is tested without a test of its own. The refusals are in tests/test_scaffold.py.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL = json.loads((ROOT / "package.json").read_text())["name"]
# A name the repository does not have already (it may be a renamed fork).
NAME, DISPLAY, DATABASE = ("acme-notes", "Acme Notes", "acme_notes")
if ORIGINAL == NAME:
    NAME, DISPLAY, DATABASE = ("my-shop", "My Shop", "my_shop")
RESOURCES = {
    "gadgets": ["name:str:required", "price:int"],
    "parts": ["title:str:required", "notes:text", "quantity:int", "in_stock:bool"],
}
# What `make rename NAME=...` must have changed, file by file.
RENAMED = {
    "README.md": f"# {DISPLAY}\n",
    "backend/settings.py": f'APP_NAME = "{DISPLAY}"',
    ".env.example": f"MONGO_DATABASE={DATABASE}",
    "docker-compose.yml": f"${{MONGO_DATABASE:-{DATABASE}}}",
}
# Every file a rename may touch, compared whole after renaming back.
RENAMEABLE = (*RENAMED, "package.json", "package-lock.json", "pyproject.toml", "uv.lock")
RENAMEABLE += ("requirements.txt", "Makefile", "Dockerfile", "backend/__init__.py")
# The parametrized suites test every registered resource: each runs here for
# one scaffolded resource (parts has a field of every kind), to save time.
SUITES = {"tests/test_resources_api.py": "parts", "tests/browser/test_resources_ui.py": "gadgets"}
# A fresh clone's environment: no settings, no coverage of another checkout's code.
ENVIRONMENT = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith("COV_") and key not in ("APP_ENV", "SECRET_KEY", "MONGO_URI")
}


def run(command, cwd, **env):
    return subprocess.run(
        command,
        cwd=cwd,
        env={**ENVIRONMENT, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


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


# What installing, building and running leave in a copy.
NOT_SOURCE = {
    ".venv",
    "node_modules",
    "public",
    "var",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
}


def files_of(folder):
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file() and not NOT_SOURCE & set(path.relative_to(folder).parts)
    }


@pytest.fixture(scope="module")
def fork(tmp_path_factory):
    """The copy, renamed once, then with the resources scaffolded: (path, outputs)."""
    if not (ROOT / "node_modules").is_dir():
        pytest.fail("node_modules is missing: run `make install` first.")
    project = copy_of_the_repository(tmp_path_factory.mktemp("fork"))
    assert not (project / ".env").exists()
    # -o: the linked .venv is this checkout's; never install into it from the copy.
    rename = ["make", "--no-print-directory", "-o", ".venv/.installed", "rename", f"NAME={NAME}"]
    outputs = {"rename": check(rename, project), "renamed": files_of(project)}
    flask = str(project / ".venv" / "bin" / "flask")
    for resource, fields in RESOURCES.items():
        options = [option for field in fields for option in ("--field", field)]
        outputs[resource] = check(
            [flask, "--app", "backend", "scaffold", resource, *options], project
        )
    return project, outputs


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
    assert f'DEFAULT_DATABASE = "{DATABASE}"' in (project / "backend/settings.py").read_text()
    assert f'name = "{NAME}"' in (project / "pyproject.toml").read_text()
    assert f'name = "{NAME}"\nversion' in (project / "uv.lock").read_text()
    assert "  requirements.txt: exported again from uv.lock" in outputs["rename"]


def test_the_renamed_requirements_are_what_uv_exports_from_the_renamed_lock(fork):
    project, _ = fork
    # The repository's own check, run in the copy.
    test = "tests/test_container.py::test_requirements_txt_is_uv_lock_exported"

    check(
        [str(project / ".venv" / "bin" / "pytest"), "-q", "-p", "no:cacheprovider", test], project
    )
    assert f"# via {NAME}\n" in (project / "requirements.txt").read_text()


def test_rename_is_safe_to_run_twice_and_back(fork, tmp_path):
    project, _ = fork
    before = files_of(project)

    again = check(["python3", "scripts/rename.py", NAME], project)

    assert "nothing to change" in again
    assert files_of(project) == before

    # Renamed back to what it was, a copy is the repository it came from again.
    copy = tmp_path / "copy"
    shutil.copytree(project, copy, symlinks=True, ignore=shutil.ignore_patterns("var", "public"))
    check(["python3", "scripts/rename.py", ORIGINAL], copy)
    for file in RENAMEABLE:
        assert (copy / file).read_text() == (ROOT / file).read_text(), file


def test_no_other_test_spells_out_the_apps_name():
    # They read it from APP_NAME, so that `make rename` followed by `make test` passes.
    spelled = re.compile(re.escape(ORIGINAL.replace("-", " ")).replace(r"\ ", "[ _-]"), re.I)
    here = Path(__file__).resolve()
    found = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("*.py")
        if path != here and spelled.search(path.read_text())
    ]
    assert found == []


@pytest.mark.parametrize("name", ["My App", "my_app", "1app", "app-", "a", "a--b", "x" * 40, ""])
def test_rename_refuses_a_bad_name_and_changes_nothing(name):
    before = (ROOT / "package.json").read_text()

    result = run(["python3", "scripts/rename.py", name], ROOT)

    assert result.returncode == 2
    assert "lowercase letters, digits and single hyphens" in result.stderr
    assert (ROOT / "package.json").read_text() == before


# Scaffold -----------------------------------------------------------------------


def test_scaffold_without_a_env_writes_one_file_and_one_line_per_resource(fork):
    project, outputs = fork
    before, after = outputs["renamed"], files_of(project)

    assert sorted(set(after) - set(before)) == [
        "backend/resources/gadgets.py",
        "backend/resources/parts.py",
    ]
    assert [file for file in before if before[file] != after[file]] == [
        "backend/resources/__init__.py"
    ]
    registry = (project / "backend/resources/__init__.py").read_text()
    assert re.search(r'    "gadgets\.Gadgets",\n    "parts\.Parts",\n\]', registry)
    assert "created backend/resources/gadgets.py" in outputs["gadgets"]


def test_scaffolded_declarations_pass_the_linters(fork):
    project, _ = fork
    ruff = str(project / ".venv" / "bin" / "ruff")
    declarations = [f"backend/resources/{name}.py" for name in RESOURCES]

    check([ruff, "check", *declarations], project)
    check([ruff, "format", "--check", *declarations], project)


def test_the_parametrized_suites_cover_the_scaffolded_resources(fork, mongo_uri):
    project, _ = fork
    # node_modules is a link: keep its path, so Brunch finds the Handlebars
    # runtime inside the project, where it looks.
    check(["npm", "run", "build"], project, NODE_PRESERVE_SYMLINKS="1")
    pytest_command = [str(project / ".venv" / "bin" / "pytest"), "-p", "no:cacheprovider"]

    collected = check([*pytest_command, "--collect-only", "-q", *SUITES], project)
    for suite in SUITES:
        for name in RESOURCES:
            assert re.search(rf"{re.escape(suite)}::\w+\[{name}\b", collected), (suite, name)
    for suite, name in SUITES.items():
        result = run(
            [*pytest_command, "-q", "-rs", "-k", name, suite], project, MONGO_URI=mongo_uri
        )

        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
        assert " passed" in result.stdout and " skipped" not in result.stdout, result.stdout[-2000:]
