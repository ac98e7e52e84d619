"""``flask --app backend scaffold gadgets --field name:str:required --field price:int``.

A resource is one declaration (see ``backend/api/resource.py``), so this writes
one file, ``backend/resources/gadgets.py``, from ``templates/resource.py.jinja``
(written with ``[[ ]]`` and ``[% %]``), and registers it with one line in
``backend/resources/__init__.py``. With ``--with-overrides`` it also writes
``frontend/app/resources/gadgets.js``, an empty module of front-end overrides
to fill in; without one, the generic front end shows the resource.

It reads and writes files only, never the app (see ``cli.py``): the name is
checked against the registry file and :data:`RESERVED_NAMES`.
"""

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES_DIR = Path(__file__).parent / "templates"
RESOURCE_NAME = re.compile(r"[a-z][a-z0-9]*s")
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]*")
MAX_NAME_LENGTH = 40
LINE_LENGTH = 100  # ruff's, in pyproject.toml: generated code is already formatted

# type on the command line: (field class in backend.api, its declaration's keywords)
FIELD_TYPES = {
    "str": ("Line", "max_length=100"),
    "text": ("Text", "max_length=2000"),
    "int": ("Number", ""),
    "bool": ("Checkbox", ""),
}
# Only a string can be required: a number or a checkbox always has a value.
REQUIRABLE = ("str", "text")
SORTABLE = ("str", "int")

# A resource's name is its URL (/api/<name>, /<name>) and its collection, so
# it must not be a page or a collection of the app's own.
# tests/test_scaffold.py checks this against the app's URLs and collections.
RESERVED_NAMES = frozenset(
    {"api", "static", "login", "logout", "register", "verify", "password", "account", "healthz"}
    | {"users", "sessions", "attempts", "outbox", "security_events", "passkeys"}
    | {"webauthn_challenges"}
)
# Stored by BackboneResource itself, or names a JSONForm has already.
RESERVED_FIELDS = frozenset(
    {"_id", "id", "owner_id", "created_at", "updated_at", "version"}
    | {"data", "errors", "meta", "process", "validate", "populate_obj", "form_errors"}
)

RESOURCES_DIR = "backend/resources"
REGISTRY_FILE = f"{RESOURCES_DIR}/__init__.py"
REGISTRY_ANCHOR = re.compile(r"(?m)^RESOURCES = \[\n(?:    .*\n)*")
REGISTRY_ENTRY = re.compile(r'(?m)^    "([a-z0-9_]+)\.[A-Za-z0-9_]+",')
OVERRIDES_DIR = "frontend/app/resources"


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
        if not FIELD_NAME.fullmatch(name) or keyword.iskeyword(name) or len(name) > MAX_NAME_LENGTH:
            raise ScaffoldError(
                f"--field {spec}: a field name is lowercase letters, digits and underscores, "
                f"starting with a letter, at most {MAX_NAME_LENGTH} characters."
            )
        if name in RESERVED_FIELDS:
            raise ScaffoldError(f"--field {spec}: {name!r} is taken by every resource.")
        if kind not in FIELD_TYPES:
            raise ScaffoldError(f"--field {spec}: the type is one of {', '.join(FIELD_TYPES)}.")
        if flag not in ("", "required"):
            raise ScaffoldError(f"--field {spec}: only 'required' may follow the type.")
        if flag and kind not in REQUIRABLE:
            raise ScaffoldError(
                f"--field {spec}: only str and text fields can be required "
                f"({kind} fields have a default)."
            )
        return cls(name, kind, bool(flag))

    @property
    def field_class(self):
        return FIELD_TYPES[self.type][0]

    @property
    def declaration(self):
        """The field in the resource's ``fields``: ``Line(required=True, max_length=100)``."""
        keywords = ["required=True"] if self.required else []
        keywords += filter(None, [FIELD_TYPES[self.type][1]])
        return f"{self.field_class}({', '.join(keywords)})"


class Resource:
    def __init__(self, plural, fields=()):
        if (
            not RESOURCE_NAME.fullmatch(plural)
            or keyword.iskeyword(plural)
            or len(plural) > MAX_NAME_LENGTH
        ):
            raise ScaffoldError(
                f"{plural!r} cannot be a resource: use a plural noun in lowercase letters and "
                f"digits, ending in s, at most {MAX_NAME_LENGTH} characters (for example gadgets)."
            )
        if plural in RESERVED_NAMES:
            raise ScaffoldError(
                f"/{plural} is a page or a collection of the app already: pick another name."
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

    @property
    def class_name(self):
        return self.plural.capitalize()

    @property
    def declaration_path(self):
        return f"{RESOURCES_DIR}/{self.plural}.py"

    @property
    def overrides_path(self):
        return f"{OVERRIDES_DIR}/{self.plural}.js"

    @property
    def registry_line(self):
        return f'    "{self.plural}.{self.class_name}",\n'

    def context(self):
        sort_fields = [f.name for f in self.fields if f.type in SORTABLE]
        return {
            "plural": self.plural,
            "singular": self.singular,
            "Plural": self.class_name,
            "fields": self.fields,
            "title": self.title,
            "imports": sorted({"BackboneResource", *(f.field_class for f in self.fields)}),
            "sort_fields": python_tuple(
                [*sort_fields, "created_at", "updated_at"], indent=4, prefix="sort_fields = "
            ),
        }

    def files(self, overrides=False):
        """{path relative to the project: content} of every file to write."""
        files = {self.declaration_path: render("resource.py.jinja", self.context())}
        if overrides:
            files[self.overrides_path] = render("overrides.js.jinja", self.context())
        return files


def python_tuple(names, indent, prefix):
    """A tuple of strings as ruff formats it: on one line if it fits, else one per line."""
    items = ", ".join(f'"{name}"' for name in names)
    if indent + len(prefix) + len(items) + 2 <= LINE_LENGTH:
        return f"({items})"
    inner = " " * (indent + 4)
    return "(\n" + "".join(f'{inner}"{name}",\n' for name in names) + " " * indent + ")"


def render(template, context):
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
    return environment.get_template(template).render(context)


def singular_of(plural):
    for ending, replacement in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch")):
        if plural.endswith(ending):
            return plural[: -len(ending)] + replacement
    return plural[:-1]


def find_project(start):
    """The project folder at or above ``start``: the one with the resource registry."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / REGISTRY_FILE).is_file():
            return folder
    raise ScaffoldError(
        f"No {REGISTRY_FILE} here or above: run the command in the project's folder."
    )


def registered_modules(registry_text):
    """The modules of backend/resources/ that RESOURCES names."""
    return REGISTRY_ENTRY.findall(registry_text)


def scaffold(project_dir, resource, force=False, overrides=False):
    """Write ``resource`` into ``project_dir``; returns the lines to print."""
    project_dir = Path(project_dir)
    registry = project_dir / REGISTRY_FILE
    text = registry.read_text()
    registered = resource.plural in registered_modules(text)
    files = resource.files(overrides=overrides)
    existing = [path for path in files if (project_dir / path).exists()]
    if registered and not existing and not force:
        raise ScaffoldError(
            f"{resource.plural} is registered in {REGISTRY_FILE} already, without "
            f"{resource.declaration_path}: pick another name, or pass --force to write it."
        )
    if existing and not force:
        listing = "\n  ".join(existing)
        raise ScaffoldError(
            f"These files exist already; nothing was written (--force overwrites them):\n  {listing}"
        )
    if not registered:
        match = REGISTRY_ANCHOR.search(text)
        if match is None:
            raise ScaffoldError(
                f"Could not find the RESOURCES list in {REGISTRY_FILE}; nothing was written. "
                f"Add this line to it yourself, then run the command again:\n"
                f"{resource.registry_line}"
            )
        text = text[: match.end()] + resource.registry_line + text[match.end() :]

    report = []
    for path, content in files.items():
        target = project_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
        report.append(f"  {'overwrote' if path in existing else 'created'} {path}")
    if not registered:
        registry.write_text(text)
        report.append(f"  registered in {REGISTRY_FILE}: {resource.registry_line.strip()}")
    return report
