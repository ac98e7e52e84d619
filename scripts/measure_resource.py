"""`make measure-resource`: what a resource costs, and what the declaration saved.

Prints three figures (issue 12's targets in brackets):
1. the files and lines a new three-field resource takes, front end, backend
   and tests: `flask scaffold` runs, as a user runs it, in a copy of the
   project, which is then compared with the copy before (one file of at most
   40 lines plus at most one registration line);
2. the lines added and removed in frontend/app/ and backend/ since BASE,
   the last commit before resources were declared (`git diff --shortstat`);
3. `duplicates` over backend/, frontend/ and devtools/, the generator's
   templates under their real extensions (at most 3 pairs).
"""

import argparse
import difflib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE = "8d2966b"
RESOURCE = [
    "notes",
    "--field",
    "title:str:required",
    "--field",
    "body:text",
    "--field",
    "done:bool",
]
DUPLICATES_FOLDERS = ("backend", "frontend", "devtools")
TEMPLATE_SUFFIX = ".jinja"
AREAS = (("backend", "backend/"), ("front end", "frontend/"), ("tests", "tests/"))


def git(*arguments, cwd=PROJECT_DIR):
    return subprocess.run(
        ["git", *arguments], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def project_files():
    """What a clone would hold: the tracked files and the new ones git does not ignore."""
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return [name for name in listed.split("\0") if name and (PROJECT_DIR / name).is_file()]


def copy_project(destination):
    for name in project_files():
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_DIR / name, destination / name)
    (destination / ".venv").symlink_to(PROJECT_DIR / ".venv")


# What running a command leaves besides what it writes.
NOT_SOURCE = {".venv", "node_modules", "__pycache__", ".ruff_cache", "var"}


def read_tree(folder):
    return {
        path.relative_to(folder).as_posix(): path.read_text(errors="replace")
        for path in folder.rglob("*")
        if path.is_file() and not NOT_SOURCE & set(path.relative_to(folder).parts)
    }


def added_lines(before, after):
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return sum(1 for line in diff if line.startswith("+") and not line.startswith("+++"))


def changes_made(copy, command):
    """{path: (new?, lines added)} of what ``command`` writes or changes in ``copy``."""
    before = read_tree(copy)
    result = subprocess.run(command, cwd=copy, capture_output=True, text=True, check=False)
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    after = read_tree(copy)
    return {
        path: (path not in before, added_lines(before.get(path, ""), text))
        for path, text in after.items()
        if before.get(path) != text
    }


def measure_scaffold(with_overrides=False):
    with tempfile.TemporaryDirectory(prefix="measure-resource-") as work:
        copy = Path(work)
        copy_project(copy)
        command = [str(copy / ".venv" / "bin" / "flask"), "--app", "backend", "scaffold"]
        command += [*RESOURCE, *(["--with-overrides"] if with_overrides else [])]
        return changes_made(copy, command)


def measure_base_scaffold():
    """The same resource made by BASE's scaffold, which wrote a copy of the widgets.

    Its generator is called directly: the ``flask scaffold`` of today, a plugin
    command, would answer first.
    """
    with tempfile.TemporaryDirectory(prefix="measure-base-") as work:
        copy = Path(work)
        archive = subprocess.run(["git", "archive", BASE], cwd=PROJECT_DIR, capture_output=True)
        subprocess.run(["tar", "-x", "-C", work], input=archive.stdout, check=True)
        for installed in (".venv", "node_modules"):
            (copy / installed).symlink_to(PROJECT_DIR / installed)
        name, fields = RESOURCE[0], RESOURCE[2::2]
        code = (
            "from backend.scaffold import Resource, scaffold; "
            f"scaffold('.', Resource({name!r}, {fields!r}))"
        )
        python = str(copy / ".venv" / "bin" / "python")
        return changes_made(copy, [python, "-c", code])


def describe_files(changes):
    if not changes:
        return "nothing"
    parts = []
    for path, (new, lines) in sorted(changes.items()):
        parts.append(f"{path} ({'new, ' if new else ''}+{lines} line{'s' * (lines != 1)})")
    return ", ".join(parts)


def report_scaffold():
    changes = measure_scaffold()
    stub = measure_scaffold(with_overrides=True)
    lines = [f"A new three-field resource: flask --app backend scaffold {' '.join(RESOURCE)}"]
    for area, prefix in AREAS:
        mine = {path: change for path, change in changes.items() if path.startswith(prefix)}
        lines.append(f"  {area + ':':<10} {describe_files(mine)}")
    others = {p: c for p, c in changes.items() if not p.startswith(tuple(p for _, p in AREAS))}
    if others:
        lines.append(f"  {'other:':<10} {describe_files(others)}")
    total = sum(lines for _, lines in changes.values())
    new = sum(1 for is_new, _ in changes.values() if is_new)
    lines.append(
        f"  {'total:':<10} {len(changes)} files ({new} new), +{total} lines "
        "[target: one file of at most 40 lines plus at most one registration line]"
    )
    extra = {path: change for path, change in stub.items() if path not in changes}
    lines.append(f"  {'optional:':<10} --with-overrides adds {describe_files(extra)}")
    base = measure_base_scaffold()
    lines.append(
        f"  {'before:':<10} {BASE}'s scaffold wrote or changed {len(base)} files, "
        f"+{sum(lines for _, lines in base.values())} lines, for the same resource"
    )
    return lines


def report_since_base():
    folders = ("frontend/app", "backend")
    stat = git("diff", "--shortstat", BASE, "HEAD", "--", *folders).strip()
    numbers = {
        kind: int(count) for count, kind in re.findall(r"(\d+) (file|insertion|deletion)", stat)
    }
    added, removed = numbers.get("insertion", 0), numbers.get("deletion", 0)
    return [
        f"Since {BASE} (HEAD, {' and '.join(f + '/' for f in folders)}): "
        f"{numbers.get('file', 0)} files changed, +{added} -{removed} lines "
        f"(net {added - removed:+d})"
    ]


def report_duplicates(most):
    if shutil.which("duplicates") is None:
        return ["duplicates: not installed here, so not measured"]
    with tempfile.TemporaryDirectory(prefix="measure-duplicates-") as work:
        tree = Path(work)
        for name in project_files():
            if name.split("/", 1)[0] in DUPLICATES_FOLDERS:
                # A template is checked as what it writes: resource.py.jinja as Python.
                target = tree / name.removesuffix(TEMPLATE_SUFFIX)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(PROJECT_DIR / name, target)
        result = subprocess.run(
            ["duplicates", "--repo", str(tree), "--most", str(most), "--seconds", "120"],
            capture_output=True,
            text=True,
            check=False,
        )
    output = (result.stdout + result.stderr).strip().splitlines()
    header = f"duplicates over {', '.join(f + '/' for f in DUPLICATES_FOLDERS)} "
    header += "(templates under their real extensions) [target: at most 3 pairs]:"
    return [header, *(f"  {line}" for line in output)]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--most", type=int, default=20, help="duplicates rows to print")
    arguments = parser.parse_args(argv)
    print("\n".join([*report_scaffold(), "", *report_since_base(), ""]))
    print("\n".join(report_duplicates(arguments.most)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
