"""``flask --app backend scaffold gadgets --field name:str:required --field price:int``.

Writes a resource like the example widgets, from the Jinja templates in
``templates/`` (written with ``[[ ]]`` and ``[% %]``, so that the Handlebars
``{{ }}`` they hold pass through): its backend package, API and browser tests,
and front-end model, collection, views, templates and styles. Then it
registers it: one line in ``backend/resources.py``, its routes in
``frontend/app/routes.js`` and a link in the site's navigation.
"""

import keyword
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES_DIR = Path(__file__).parent / "templates"
RESOURCE_NAME = re.compile(r"[a-z][a-z0-9]*s")
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
FIELD_TYPES = ("str", "text", "int", "bool")
MAX_LENGTHS = {"str": 100, "text": 2000}
# Stored by BackboneResource itself, or names a form already has.
RESERVED_FIELDS = frozenset(
    {"_id", "id", "owner_id", "created_at", "updated_at", "version"}
    | {"data", "errors", "meta", "process", "validate", "populate_obj", "form_errors"}
)

# (template, file written) for each file of a resource.
FILES = (
    ("backend/__init__.py.jinja", "backend/{plural}/__init__.py"),
    ("backend/models.py.jinja", "backend/{plural}/models.py"),
    ("backend/forms.py.jinja", "backend/{plural}/forms.py"),
    ("backend/views.py.jinja", "backend/{plural}/views.py"),
    ("tests/test_api.py.jinja", "tests/test_{plural}_api.py"),
    ("tests/test_ui.py.jinja", "tests/browser/test_{plural}_ui.py"),
    ("frontend/model.js.jinja", "frontend/app/models/{singular}.js"),
    ("frontend/collection.js.jinja", "frontend/app/models/{plural}.js"),
    ("frontend/controller.js.jinja", "frontend/app/controllers/{plural}-controller.js"),
    ("frontend/page-view.js.jinja", "frontend/app/views/{plural}-page-view.js"),
    ("frontend/list-view.js.jinja", "frontend/app/views/{singular}-list-view.js"),
    ("frontend/item-view.js.jinja", "frontend/app/views/{singular}-item-view.js"),
    ("frontend/detail-view.js.jinja", "frontend/app/views/{singular}-detail-view.js"),
    ("frontend/form-view.js.jinja", "frontend/app/views/{singular}-form-view.js"),
    ("frontend/page.hbs.jinja", "frontend/app/templates/{plural}-page.hbs"),
    ("frontend/list.hbs.jinja", "frontend/app/templates/{singular}-list.hbs"),
    ("frontend/item.hbs.jinja", "frontend/app/templates/{singular}-item.hbs"),
    ("frontend/detail.hbs.jinja", "frontend/app/templates/{singular}-detail.hbs"),
    ("frontend/form.hbs.jinja", "frontend/app/templates/{singular}-form.hbs"),
    ("frontend/styles.css.jinja", "frontend/app/styles/{plural}.css"),
)
RESOURCES_FILE = "backend/resources.py"
ROUTES_FILE = "frontend/app/routes.js"
NAVIGATION_FILE = "frontend/app/templates/site.hbs"


class ScaffoldError(ValueError):
    """The resource cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    required: bool

    @classmethod
    def parse(cls, spec):
        """``name:type`` or ``name:type:required``, type one of FIELD_TYPES."""
        name, _, rest = spec.partition(":")
        kind, _, flag = (rest or "str").partition(":")
        if not FIELD_NAME.fullmatch(name) or keyword.iskeyword(name):
            raise ScaffoldError(
                f"--field {spec}: a field name is lowercase letters, digits and underscores, "
                "starting with a letter."
            )
        if name in RESERVED_FIELDS:
            raise ScaffoldError(f"--field {spec}: {name!r} is taken by every resource.")
        if kind not in FIELD_TYPES:
            raise ScaffoldError(f"--field {spec}: the type is one of {', '.join(FIELD_TYPES)}.")
        if flag not in ("", "required"):
            raise ScaffoldError(f"--field {spec}: only 'required' may follow the type.")
        if flag and kind not in MAX_LENGTHS:
            raise ScaffoldError(
                f"--field {spec}: only str and text fields can be required "
                f"({kind} fields have a default)."
            )
        return cls(name, kind, bool(flag))

    @property
    def label(self):
        return self.name.replace("_", " ").capitalize()

    @property
    def dashed(self):
        return self.name.replace("_", "-")

    @property
    def constant(self):
        return self.name.upper()

    @property
    def max_length(self):
        return MAX_LENGTHS.get(self.type)

    @property
    def sortable(self):
        return self.type in ("str", "int")

    @property
    def optional_label(self):
        return self.type in MAX_LENGTHS and not self.required

    @property
    def sort_labels(self):
        if self.type == "int":
            return (f"{self.label}, lowest first", f"{self.label}, highest first")
        return (f"{self.label}, A to Z", f"{self.label}, Z to A")

    @property
    def form_field(self):
        """The field's declaration in the resource's form."""
        if self.type == "int":
            return "JSONIntegerField(default=0)"
        if self.type == "bool":
            return "JSONBooleanField(default=False)"
        length = f"Length(max={self.constant}_MAX_LENGTH)"
        if self.required:
            return f"JSONStringField(validators=[DataRequired(), {length}])"
        return f'JSONStringField(default="", validators=[{length}])'

    @property
    def js_default(self):
        return {"int": "0", "bool": "false"}.get(self.type, "''")

    @property
    def accessible_label(self):
        """The name a screen reader gives the field's control."""
        return f"{self.label} (optional)" if self.optional_label else self.label

    @property
    def default_assertion(self):
        """How a test checks that the field has its default value."""
        return {"int": "== 0", "bool": "is False"}.get(self.type, '== ""')

    @property
    def wrong_type(self):
        """A JSON value of another type, in Python."""
        return {"int": '"12"', "bool": '"yes"'}.get(self.type, '{"$gt": ""}')

    @property
    def sample_expression(self):
        """:meth:`sample` as Python code, of a variable ``number``."""
        if self.type == "int":
            return "number"
        if self.type == "bool":
            return "number % 2 == 0"
        return f'f"{self.label} {{number}}"'

    def sample(self, number):
        """A valid value, which sorts by ``number`` in lists."""
        if self.type == "int":
            return number
        if self.type == "bool":
            return number % 2 == 0
        return f"{self.label} {number}"


class Resource:
    def __init__(self, plural, fields=()):
        if not RESOURCE_NAME.fullmatch(plural) or len(plural) > 40:
            raise ScaffoldError(
                f"{plural!r} cannot be a resource: use a plural noun in lowercase letters and "
                "digits, ending in s (for example gadgets)."
            )
        self.plural = plural
        self.singular = singular_of(plural)
        self.fields = [Field.parse(spec) for spec in fields or ["name:str:required"]]
        names = [field.name for field in self.fields]
        if len(set(names)) < len(names):
            raise ScaffoldError("Each --field must have a name of its own.")
        titles = [field for field in self.fields if field.type == "str"]
        if not titles:
            raise ScaffoldError(
                "A resource needs a str field: it names each item in lists and headings, "
                "and the search looks in it (for example --field name:str:required)."
            )
        self.title = titles[0]

    def context(self):
        fields = self.fields
        sortable = [field for field in fields if field.sortable]
        types = {field.type for field in fields}
        validators = [
            *(["DataRequired"] if any(field.required for field in fields) else []),
            *(["Length"] if types & set(MAX_LENGTHS) else []),
        ]
        form_imports = ["JSONForm"]
        for kind, name in (("bool", "JSONBooleanField"), ("int", "JSONIntegerField")):
            if kind in types:
                form_imports.append(name)
        if types & set(MAX_LENGTHS):
            form_imports.append("JSONStringField")
        return {
            "plural": self.plural,
            "singular": self.singular,
            "Plural": self.plural.capitalize(),
            "Class": self.singular.capitalize(),
            "fields": fields,
            "title": self.title,
            "sortable": sortable,
            "public_fields": [
                "_id",
                *(field.name for field in fields),
                "created_at",
                "updated_at",
                "version",
            ],
            "sort_fields": [*(field.name for field in sortable), "created_at", "updated_at"],
            "validators": validators,
            "form_imports": form_imports,
            "max_lengths": [field for field in fields if field.max_length],
            "optional": [field for field in fields if not field.required],
            "has_int": "int" in types,
            "has_bool": "bool" in types,
        }

    def files(self):
        """{path relative to the project: content} of every file to write."""
        environment = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            variable_start_string="[[",
            variable_end_string="]]",
            block_start_string="[%",
            block_end_string="%]",
            comment_start_string="[#",
            comment_end_string="#]",
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            undefined=StrictUndefined,
            # It writes source code, not HTML pages: nothing to escape.
            autoescape=False,  # noqa: S701  # nosec B701
        )
        context = self.context()
        return {
            target.format(plural=self.plural, singular=self.singular): environment.get_template(
                template
            ).render(context)
            for template, target in FILES
        }

    def registrations(self):
        """(file, what is added, where it goes, the text to add): one line or a few each."""
        plural, label = self.plural, self.plural.capitalize()
        return [
            (
                RESOURCES_FILE,
                f'    "{plural}",\n',
                re.compile(r"(?m)^RESOURCES = \[\n(?:    .*\n)*"),
            ),
            (
                ROUTES_FILE,
                f"  match('{plural}', '{plural}#index');\n"
                f"  match('{plural}/new', '{plural}#new');\n"
                f"  match('{plural}/:id', '{plural}#show');\n",
                re.compile(r"(?m)^module\.exports = match => \{\n(?:  .*\n)*"),
            ),
            (
                NAVIGATION_FILE,
                f'    <a href="/{plural}">{label}</a>\n',
                re.compile(r'(?m)^  <nav class="site-sections"[^\n]*>\n(?:    .*\n)*'),
            ),
        ]


def singular_of(plural):
    for ending, replacement in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch")):
        if plural.endswith(ending):
            return plural[: -len(ending)] + replacement
    return plural[:-1]


def scaffold(project_dir, resource, force=False):
    """Write ``resource`` into ``project_dir``; returns the lines to print."""
    project_dir = Path(project_dir)
    package = project_dir / "backend" / resource.plural
    registered = f'"{resource.plural}",' in (project_dir / RESOURCES_FILE).read_text()
    if package.with_suffix(".py").exists() or (package.exists() and not registered):
        raise ScaffoldError(
            f"backend/{resource.plural} is part of the app already: pick another name."
        )
    files = resource.files()
    existing = [path for path in files if (project_dir / path).exists()]
    if existing and not force:
        listing = "\n  ".join(existing)
        raise ScaffoldError(
            f"These files exist already; nothing was written (--force overwrites them):\n  {listing}"
        )
    edits = []
    for file, addition, anchor, *_ in resource.registrations():
        text = (project_dir / file).read_text()
        if addition in text:
            continue
        match = anchor.search(text)
        if match is None:
            raise ScaffoldError(
                f"Could not find where to register {resource.plural} in {file}; "
                f"nothing was written. Add this yourself, then run the command again:\n{addition}"
            )
        edits.append((file, text[: match.end()] + addition + text[match.end() :]))

    report = []
    for path, content in files.items():
        target = project_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        report.append(f"  {'overwrote' if path in existing else 'created'} {path}")
        target.write_text(content)
    for file, text in edits:
        (project_dir / file).write_text(text)
        report.append(f"  registered in {file}")
    report.extend(format_code(project_dir, list(files)))
    return report


def format_code(project_dir, paths):
    """Let the project's formatters have the last word, where they are installed."""
    python = [path for path in paths if path.endswith(".py")]
    others = [path for path in paths if path.endswith((".js", ".css"))]
    ruff = shutil.which("ruff", path=str(project_dir / ".venv" / "bin")) or shutil.which("ruff")
    prettier = project_dir / "node_modules" / ".bin" / "prettier"
    commands = []
    if ruff:
        commands += [
            [ruff, "check", "--quiet", "--fix", "--select", "I", *python],
            [ruff, "format", "--quiet", *python],
        ]
    if prettier.exists() and (project_dir / ".prettierrc.json").exists():
        commands.append([str(prettier), "--log-level", "warn", "--write", *others])
    failures = []
    for command in commands:
        result = subprocess.run(
            command, cwd=project_dir, capture_output=True, text=True, check=False
        )
        if result.returncode:
            failures.append(f"  {Path(command[0]).name} failed: {result.stdout}{result.stderr}")
    return failures
