"""`flask scaffold`: the declaration it writes, what it refuses, and that the result works.

These run in-process, on a small project folder of their own (the resource
registry and the widgets); tests/test_forking.py runs the real command line
on a copy of the repository without a .env.
"""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from backend.resources import registered
from devtools.scaffold import RESERVED_NAMES, Resource, ScaffoldError, scaffold
from devtools.scaffold.cli import scaffold_command
from tests.conftest import Browserless

ROOT = Path(__file__).resolve().parent.parent
WIDGETS = ["name:str:required", "description:text"]
EVERY_TYPE = ["title:str:required", "notes:text", "quantity:int", "in_stock:bool"]


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A folder with the repository's resource registry and widgets, as the working directory."""
    for file in ("backend/resources/__init__.py", "backend/resources/widgets.py"):
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / file, tmp_path / file)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_scaffold(*arguments):
    return CliRunner().invoke(scaffold_command, list(arguments))


def snapshot(folder):
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def load_declaration(path, class_name):
    spec = importlib.util.spec_from_file_location(f"scaffolded_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, class_name)


def without_docstring(text):
    return text.split("\n", 1)[1]


# The generator and the checked-in widgets -----------------------------------------


def test_the_widgets_are_what_the_generator_writes_for_their_fields():
    # Only the module docstring may differ: widgets is the worked example.
    generated = Resource("widgets", WIDGETS).files()["backend/resources/widgets.py"]
    checked_in = (ROOT / "backend/resources/widgets.py").read_text()

    assert without_docstring(generated) == without_docstring(checked_in)


def test_each_type_becomes_its_field_class():
    declaration = Resource("parts", EVERY_TYPE).files()["backend/resources/parts.py"]

    assert "from backend.api import BackboneResource, Checkbox, Line, Number, Text\n" in declaration
    assert '        "title": Line(required=True, max_length=100),\n' in declaration
    assert '        "notes": Text(max_length=2000),\n' in declaration
    assert '        "quantity": Number(),\n' in declaration
    assert '        "in_stock": Checkbox(),\n' in declaration
    assert 'sort_fields = ("title", "quantity", "created_at", "updated_at")' in declaration
    assert 'search_field = "title"' in declaration


def test_singular_names_are_derived_from_the_plural():
    for plural, singular in [("gadgets", "gadget"), ("categories", "category"), ("boxes", "box")]:
        assert Resource(plural).singular == singular
        assert Resource(plural).fields[0].name == "name"


# The command ----------------------------------------------------------------------


def test_it_writes_one_file_and_one_registration_line(project):
    before = (project / "backend/resources/__init__.py").read_text()

    fields = ["name:str:required", "price:int", "in_stock:bool"]
    result = run_scaffold("gadgets", *(f"--field={field}" for field in fields))

    assert result.exit_code == 0, result.output
    assert "created backend/resources/gadgets.py" in result.output
    after = (project / "backend/resources/__init__.py").read_text()
    assert after == before.replace(
        '    "widgets.Widgets",\n', '    "widgets.Widgets",\n    "gadgets.Gadgets",\n'
    )
    written = {path.relative_to(project).as_posix() for path in snapshot(project)}
    assert written == {
        "backend/resources/__init__.py",
        "backend/resources/widgets.py",
        "backend/resources/gadgets.py",
    }
    # Issue 12's budget for a three-field resource: one file of at most 40 lines.
    assert len((project / "backend/resources/gadgets.py").read_text().splitlines()) <= 40


def test_with_overrides_it_also_writes_an_empty_front_end_module(project):
    result = run_scaffold("gadgets", "--with-overrides")

    assert result.exit_code == 0, result.output
    stub = project / "frontend/app/resources/gadgets.js"
    exported = subprocess.run(
        ["node", "-e", f"console.log(JSON.stringify(require({str(stub)!r})))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert exported.stdout == "{}\n"
    assert "resources/widgets.js" in stub.read_text()  # where to look for how


def test_it_refuses_to_overwrite_unless_forced(project):
    assert run_scaffold("gadgets").exit_code == 0
    declaration = project / "backend/resources/gadgets.py"
    declaration.write_text(declaration.read_text() + "# mine\n")

    refused = run_scaffold("gadgets")

    assert refused.exit_code == 1
    assert "exist already" in refused.output
    assert declaration.read_text().endswith("# mine\n")

    forced = run_scaffold("gadgets", "--force")

    assert forced.exit_code == 0, forced.output
    assert "overwrote backend/resources/gadgets.py" in forced.output
    assert not declaration.read_text().endswith("# mine\n")
    registry = (project / "backend/resources/__init__.py").read_text()
    assert registry.count('"gadgets.Gadgets"') == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["widgets"], "exist already"),
        (["Gadgets"], "plural noun in lowercase"),
        (["gadget"], "ending in s"),
        (["class"], "plural noun in lowercase"),
        (["x" * 40 + "s"], "at most 40 characters"),
        (["api"], "ending in s"),
        (["users"], "page or a collection of the app already"),
        (["sessions"], "page or a collection of the app already"),
        (["gadgets", "--field", "price:float"], "the type is one of"),
        (["gadgets", "--field", "class:str"], "a field name is"),
        (["gadgets", "--field", "Name:str"], "a field name is"),
        (["gadgets", "--field", "version:int"], "taken by every resource"),
        (["gadgets", "--field", "owner_id:str"], "taken by every resource"),
        (["gadgets", "--field", "price:int:required"], "only str and text fields"),
        (["gadgets", "--field", "name:str:unique"], "only 'required'"),
        (["gadgets", "--field", "price:int"], "needs a str field"),
        (["gadgets", "--field", "name", "--field", "name:text"], "a name of its own"),
    ],
)
def test_it_refuses_what_it_cannot_make_and_writes_nothing(project, arguments, message):
    before = snapshot(project)

    result = run_scaffold(*arguments)

    assert result.exit_code == 1, result.output
    assert message in result.output
    assert snapshot(project) == before


def test_a_name_registered_without_its_file_is_refused(project):
    registry = project / "backend/resources/__init__.py"
    registry.write_text(
        registry.read_text().replace("RESOURCES = [\n", 'RESOURCES = [\n    "gadgets.Mine",\n')
    )
    before = snapshot(project)

    result = run_scaffold("gadgets")

    assert result.exit_code == 1
    assert "registered in backend/resources/__init__.py already" in result.output
    assert snapshot(project) == before


def test_a_registry_without_the_list_is_left_alone(project):
    registry = project / "backend/resources/__init__.py"
    registry.write_text('"""Resources made some other way."""\n')

    with pytest.raises(ScaffoldError, match="Could not find the RESOURCES list"):
        scaffold(project, Resource("gadgets"))
    assert not (project / "backend/resources/gadgets.py").exists()
    assert registry.read_text() == '"""Resources made some other way."""\n'


def test_outside_a_project_it_says_where_to_run_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    result = run_scaffold("gadgets")

    assert result.exit_code == 1
    assert "run the command in the project's folder" in result.output
    assert list(tmp_path.iterdir()) == []


# The app's own collections, as a fresh process declares them: in this one,
# the resources that other tests make have declared theirs too.
OWN_COLLECTIONS = """
import json
from backend import create_app
from backend.extensions import mongo
app = create_app({"APP_ENV": "test", "SECRET_KEY": "x", "MONGO_URI": "mongodb://127.0.0.1:1/"})
resources = {resource.collection for resource in app.extensions["resources"].values()}
print(json.dumps(sorted(set(mongo.index_specs) - resources)))
"""


def test_reserved_names_cover_the_apps_own_pages_and_collections(app):
    # The name check needs no app, so the list must keep up with it.
    first_segments = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()}
    found = subprocess.run(
        [sys.executable, "-c", OWN_COLLECTIONS], cwd=ROOT, capture_output=True, text=True
    )
    own_collections = set(json.loads(found.stdout or "null") or ())

    assert first_segments - set(app.extensions["resources"]) - {""} <= RESERVED_NAMES
    assert {"users", "sessions", "attempts"} <= own_collections <= RESERVED_NAMES, found.stderr


# What it writes works -------------------------------------------------------------


@pytest.fixture
def app_with(make_app):
    """Makes the app with the registered resources and more."""
    return lambda *resources: make_app(resources=[*registered(), *resources])


def test_a_scaffolded_resource_serves_its_api_with_every_field_type(project, app_with):
    assert run_scaffold("parts", *(f"--field={field}" for field in EVERY_TYPE)).exit_code == 0
    app = app_with(load_declaration(project / "backend/resources/parts.py", "Parts"))
    user = Browserless(app.test_client(), "carol@example.com").register()

    created = user.post("/api/parts", json={"title": " Bolt ", "quantity": 3, "in_stock": True})
    listed = user.get("/api/parts?sort=-quantity&q=bol")

    assert created.status_code == 201, created.get_json()
    assert created.get_json()["title"] == "Bolt"
    assert created.get_json()["notes"] == ""
    assert [part["title"] for part in listed.get_json()["items"]] == ["Bolt"]
    assert user.post("/api/parts", json={"title": "x", "quantity": "3"}).status_code == 400
    assert list(app.extensions["resources"]) == ["widgets", "parts"]
