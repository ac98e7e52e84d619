"""Rename the app: `make rename NAME=my-app` (or `python3 scripts/rename.py my-app`).

The current name is the "name" in package.json. From a name like ``my-app``
come the display name ``My App`` (page titles, README headline) and the
database name ``my_app``. Each edit below replaces one exact pattern in one
file, so running it again, or with the name it already has, changes nothing.
requirements.txt is not edited but exported again from the renamed uv.lock, by
the command its header names, so it stays exactly what ``uv export`` writes.
Standard library only (uv is run as a program: `make rename` installs it first).
"""

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
MAX_LENGTH = 39
RULES = (
    "lowercase letters, digits and single hyphens, starting with a letter, "
    f"2 to {MAX_LENGTH} characters (for example my-app)"
)

# An edit whose pattern is missing is reported, unless it is optional (a line a
# fork may well have rewritten, or a file it may have removed).
REQUIRED, OPTIONAL = False, True


class BadName(ValueError):
    """A name the app cannot take; the message says why."""


def check_name(name):
    if not (2 <= len(name) <= MAX_LENGTH and NAME.fullmatch(name)):
        raise BadName(f"{name!r} cannot be the app's name: use {RULES}.")
    return name


def display_name(name):
    return " ".join(word.capitalize() for word in name.split("-"))


def database_name(name):
    return name.replace("-", "_")


def edits(old, new):
    """(file, pattern, replacement, optional) for every place the name appears."""
    o, n = re.escape(old), new
    od, nd = re.escape(display_name(old)), display_name(new)
    odb, ndb = re.escape(database_name(old)), database_name(new)
    return [
        ("package.json", rf'(?m)^(  "name": )"{o}"', rf'\1"{n}"', REQUIRED),
        ("package-lock.json", rf'(?m)\A(\{{\n  "name": )"{o}"', rf'\1"{n}"', REQUIRED),
        ("package-lock.json", rf'(?m)^(    "": \{{\n      "name": )"{o}"', rf'\1"{n}"', REQUIRED),
        ("pyproject.toml", rf'(?m)^(name = )"{o}"$', rf'\1"{n}"', REQUIRED),
        (
            "uv.lock",
            rf'(?m)^(name = )"{o}"(\nversion = "[^"\n]*"\nsource = \{{ (?:editable|virtual) = "\." \}})',
            rf'\1"{n}"\2',
            REQUIRED,
        ),
        ("README.md", rf"(?m)\A# {od}$", f"# {nd}", REQUIRED),
        ("backend/settings.py", rf'(?m)^APP_NAME = "{od}"$', f'APP_NAME = "{nd}"', REQUIRED),
        (
            "backend/settings.py",
            rf'(?m)^DEFAULT_DATABASE = "{odb}"$',
            f'DEFAULT_DATABASE = "{ndb}"',
            REQUIRED,
        ),
        ("backend/__init__.py", rf'\A"""{od}: ', f'"""{nd}: ', OPTIONAL),
        (".env.example", rf"(?m)^MONGO_DATABASE={odb}$", f"MONGO_DATABASE={ndb}", REQUIRED),
        (
            "docker-compose.yml",
            rf"\$\{{MONGO_DATABASE:-{odb}\}}",
            f"${{MONGO_DATABASE:-{ndb}}}",
            REQUIRED,
        ),
        ("docker-compose.yml", rf"(?m)^(    image: ){o}$", rf"\g<1>{n}", REQUIRED),
        ("frontend/app/styles/app.css", rf"\A/\* {od}: ", f"/* {nd}: ", OPTIONAL),
        ("Dockerfile", rf"(?m)^# {od}'s image", f"# {nd}'s image", OPTIONAL),
        ("Makefile", rf"(?m)\A# {od}: ", f"# {nd}: ", OPTIONAL),
        ("Makefile", rf'(@echo "){od} is starting', rf"\1{nd} is starting", OPTIONAL),
        ("scripts/dev.py", rf"\\n  {od} is starting", rf"\\n  {nd} is starting", OPTIONAL),
    ]


def current_name(project_dir):
    return json.loads((project_dir / "package.json").read_text())["name"]


def rename(project_dir, new):
    """Rename the app in ``project_dir``; returns the lines to print."""
    check_name(new)
    old = current_name(project_dir)
    if old == new:
        return [f"The app is already named {new} ({display_name(new)}): nothing to change."]
    report, texts, counts = [], {}, {}
    for file, pattern, replacement, optional in edits(old, new):
        path = project_dir / file
        if not path.exists():
            if not optional:
                report.append(f"  skipped {file}: no such file")
            continue
        changed, count = re.subn(pattern, replacement, texts.get(file) or path.read_text())
        if count:
            texts[file] = changed
            counts[file] = counts.get(file, 0) + count
        elif not optional:
            report.append(f"  skipped in {file}: {old!r} not where expected (edited by hand?)")
    for file, text in texts.items():
        (project_dir / file).write_text(text)
        report.append(f"  {file}: {counts[file]} change{'s' if counts[file] > 1 else ''}")
    if "uv.lock" in texts:
        report.append(export_requirements(project_dir))
    env = project_dir / ".env"
    old_database = f"MONGO_DATABASE={database_name(old)}"
    if env.exists() and old_database in env.read_text().splitlines():
        report.append(f"  left .env as it is: it still says {old_database}, where your data is")
    header = (
        f"Renamed {old} to {new}: display name {display_name(new)!r}, "
        f"database {database_name(new)!r}."
    )
    return [header, *report]


def export_requirements(project_dir):
    """Write requirements.txt again from uv.lock, as its header says it was made."""
    requirements = project_dir / "requirements.txt"
    if not requirements.exists():
        return "  skipped requirements.txt: no such file"
    header = re.search(r"(?m)^#\s+(uv export .*)$", requirements.read_text())
    if header is None:
        return "  skipped requirements.txt: its header does not say which `uv export` made it"
    command = shlex.split(header.group(1))
    uv = project_dir / ".venv" / "bin" / "uv"
    uv = str(uv) if uv.exists() else shutil.which("uv")
    if uv is None:
        return f"  skipped requirements.txt: uv is not installed; run `make install`, then `{header.group(1)}`"
    result = subprocess.run(
        [uv, *command[1:]], cwd=project_dir, capture_output=True, text=True, check=False
    )
    if result.returncode:
        return f"  requirements.txt: `{header.group(1)}` failed:\n{result.stderr}"
    return "  requirements.txt: exported again from uv.lock"


def main(argv):
    if len(argv) != 1 or not argv[0]:
        print(f"Usage: make rename NAME=<new-name>, a name of {RULES}.", file=sys.stderr)
        return 2
    try:
        lines = rename(PROJECT_DIR, argv[0])
    except BadName as error:
        print(error, file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
